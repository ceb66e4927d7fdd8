import { Flags } from "@oclif/core";

/** `--password` (or FASTPOS_PASSWORD): encrypts new keys, decrypts encrypted ones. */
export const passwordFlag = Flags.string({
  description: "Password for an encrypted key (scrypt + AES-256-GCM). Prefer the env var in scripts.",
  env: "FASTPOS_PASSWORD",
});

/**
 * `--devnet NAME` (`-d NAME`): the one flag that names a devnet, on every command that targets one (issue 19:
 * `down` used to take `--name` while the error for two devnets said "pass --devnet NAME"). Without it a
 * command picks the only devnet (the only running one when several exist). `nameAlias` keeps `--name`
 * working where it named the devnet before (`devnet up`, `devnet down`); never on a command whose `--name`
 * names something else (`devnet add-validator`'s new node).
 */
export function devnetFlag(o: { description?: string; nameAlias?: boolean; exclusive?: string[] } = {}) {
  const description = o.description ?? "Devnet name [default: the only one]";
  return Flags.string({
    char: "d",
    helpValue: "NAME",
    description: o.nameAlias ? `${description} (alias: --name)` : description,
    ...(o.nameAlias ? { aliases: ["name"] } : {}),
    ...(o.exclusive ? { exclusive: o.exclusive } : {}),
  });
}
