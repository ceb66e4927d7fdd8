import { Flags } from "@oclif/core";

/** `--password` (or FASTPOS_PASSWORD): encrypts new keys, decrypts encrypted ones. */
export const passwordFlag = Flags.string({
  description: "Password for an encrypted key (scrypt + AES-256-GCM). Prefer the env var in scripts.",
  env: "FASTPOS_PASSWORD",
});
