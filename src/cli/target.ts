import { Flags } from "@oclif/core";
import { createClient } from "../client/client.js";
import { isFastposError } from "../core/errors.js";
import { devnetDir, pickDevnet } from "../devnet/state.js";
import { resolveHome } from "../keystore/home.js";
import { type LoadedKeypair, loadKeypair } from "../keystore/keys-service.js";
import { createKeystore } from "../keystore/keystore.js";
import { UserError } from "./errors.js";
import { devnetFlag } from "./flags.js";

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
  if (f.node) return { url: parseNodeUrl(f.node), devnet: undefined, home };
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

/**
 * Finds a signing key by name: the user's keystore first, then the keys `devnet up` created for the devnet
 * (alice, bob, …), so `fastpos tx transfer --from alice` works right after `devnet up`.
 */
export async function keyByName(
  home: string,
  name: string,
  devnetName: string | undefined,
  password?: string,
  purpose: "account" | "consensus" = "account",
): Promise<LoadedKeypair> {
  try {
    return await loadKeypair(createKeystore(home), name, { password, purpose });
  } catch (err) {
    if (!isFastposError(err, "KEYSTORE_NOT_FOUND")) throw err;
    try {
      const d = pickDevnet(home, devnetName);
      return await loadKeypair(createKeystore(devnetDir(home, d.name)), name, { password, purpose });
    } catch {
      // No key of that name anywhere: if it looks like an address, the checksum is what failed.
      if (/^fp1/i.test(name))
        throw new UserError("BAD_ADDRESS", `"${name}" is not a valid address (checksum)`, {
          hint: "check for a typo; copy addresses from `fastpos keys list` or `fastpos devnet status`",
        });
      throw err;
    }
  }
}
