import { Flags } from "@oclif/core";
import { createClient } from "../client/client.js";
import { isValidAddress } from "../core/crypto/index.js";
import { pickDevnet } from "../devnet/state.js";
import { resolveHome } from "../keystore/home.js";
import type { LoadedKeypair } from "../keystore/keys-service.js";
import { UserError } from "./errors.js";
import { devnetFlag } from "./flags.js";
import { devnetInPlay, type FoundKey, findKey, loadFound, shadowWarning } from "./key-resolve.js";

/** `--node URL | --devnet NAME`: which node a tx/query command talks to. */
export const targetFlags = {
  node: Flags.string({ description: "Node API URL, e.g. http://127.0.0.1:26660", exclusive: ["devnet"] }),
  devnet: devnetFlag({ description: "Devnet name [default: the only running devnet]" }),
};

/** Resolves the API URL: --node, else the first running node of the chosen devnet. */
export function resolveTarget(
  homeFlag: string | undefined,
  f: { node?: string | undefined; devnet?: string | undefined },
) {
  const home = resolveHome(homeFlag);
  // FASTPOS_NODE (from `eval "$(fastpos devnet env)"`) stands for --node unless --devnet is given.
  const node = f.node ?? (f.devnet ? undefined : process.env.FASTPOS_NODE || undefined);
  if (node) return { url: parseNodeUrl(node), devnet: undefined, home };
  const d = pickDevnet(home, f.devnet);
  const n = d.nodes.find((x) => x.pid !== null) ?? d.nodes[0];
  return { url: (n as { apiUrl: string }).apiUrl, devnet: d, home };
}

/** `--node`/FASTPOS_NODE must be an http(s) URL: a typo is a usage error (exit 1), not "unreachable" (4). */
export function parseNodeUrl(text: string): string {
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  if (!u || (u.protocol !== "http:" && u.protocol !== "https:"))
    throw new UserError("BAD_NODE_URL", `--node "${text}" is not an http(s) URL`, {
      hint: "e.g. --node http://127.0.0.1:26660 (see `fastpos devnet status` for the URLs)",
    });
  return text.replace(/\/$/, "");
}

export function clientFor(url: string, timeoutMs = 10_000) {
  return createClient({ url, timeoutMs });
}

/** Where a command looks keys up: the devnet in play, and whether `--node` puts the keystore first. */
export function keyScope(
  home: string,
  target: { devnet?: { name: string } | undefined },
): { devnet: string | undefined; preferKeystore: boolean } {
  if (target.devnet) return { devnet: target.devnet.name, preferKeystore: false };
  return { devnet: devnetInPlay(home, undefined), preferKeystore: true };
}

/**
 * A signing key by name, by the one rule of key-resolve.ts (devnet in play first, keystore first with
 * `--node`); `warn` gets the shadowing warning when the name exists in both.
 */
export async function keyByName(
  home: string,
  name: string,
  target: { devnet?: { name: string } | undefined },
  password?: string,
  purpose: "account" | "consensus" = "account",
  warn?: (line: string) => void,
): Promise<LoadedKeypair & { found: FoundKey }> {
  const scope = keyScope(home, target);
  const found = await findKey(home, name, scope.devnet, scope.preferKeystore);
  const w = shadowWarning(found);
  if (w && warn) warn(w);
  return { ...(await loadFound(found, password, purpose)), found };
}

/** An fp1… address as typed, or the address of a key name: public data only, never a password. */
export async function addressOf(
  home: string,
  text: string,
  target: { devnet?: { name: string } | undefined },
  warn?: (line: string) => void,
): Promise<string> {
  if (isValidAddress(text)) return text;
  const scope = keyScope(home, target);
  const found = await findKey(home, text, scope.devnet, scope.preferKeystore);
  const w = shadowWarning(found);
  if (w && warn) warn(w);
  return found.record.address;
}
