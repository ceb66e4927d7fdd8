import { isFastposError } from "../core/errors.js";
import { devnetDir, pickDevnet, readDevnet } from "../devnet/state.js";
import { type LoadedKeypair, loadKeypair } from "../keystore/keys-service.js";
import { createKeystore, type KeyRecord, type Keystore } from "../keystore/keystore.js";
import { UserError } from "./errors.js";
import { passwordFor } from "./password-prompt.js";

/**
 * THE key resolution rule (issue 19 item 1), used by `--from`, `--to`, `query account NAME` and
 * `keys show|export`: a name is looked up in two places —
 *   1. the devnet the command talks to (its `alice`, `bob`, … that `devnet up` funded), then
 *   2. the user's keystore (`<home>/keys`);
 * and the other way round when the command talks to a node by `--node URL` (no devnet in play).
 * When both hold the name, the first wins and a warning names the one it shadows; errors name the key
 * used ("key alice from devnet local"). Before, a keystore `alice` silently hid the funded devnet `alice`.
 */
export interface KeySource {
  kind: "keystore" | "devnet";
  /** The devnet's name for kind "devnet". */
  devnet?: string;
}

export interface FoundKey {
  name: string;
  source: KeySource;
  keystore: Keystore;
  record: KeyRecord;
  /** A key of the same name that this one hides, if any. */
  shadows?: KeySource;
}

/** "keystore" or "devnet NAME": the SOURCE column of `keys list` and the wording of warnings. */
export function sourceLabel(s: KeySource): string {
  return s.kind === "keystore" ? "keystore" : `devnet ${s.devnet}`;
}

/** The devnet in play: the named one, else the only/only running one; none when that is ambiguous. */
export function devnetInPlay(home: string, name: string | undefined): string | undefined {
  if (name) return readDevnet(home, name).name;
  try {
    return pickDevnet(home, undefined).name;
  } catch (err) {
    if (isFastposError(err, "DEVNET_NONE", "DEVNET_AMBIGUOUS", "DEVNET_NOT_FOUND")) return undefined;
    throw err;
  }
}

/**
 * Finds key `name` by the rule above. `devnet` is the devnet in play; `preferKeystore` is true when the
 * command targets `--node URL`. Reads only public data: no password needed (issue 19 item 7).
 */
export async function findKey(
  home: string,
  name: string,
  devnet: string | undefined,
  preferKeystore = false,
): Promise<FoundKey> {
  const places: { source: KeySource; keystore: Keystore }[] = [];
  if (devnet !== undefined)
    places.push({
      source: { kind: "devnet", devnet },
      keystore: createKeystore(devnetDir(home, devnet)),
    });
  places[preferKeystore ? "unshift" : "push"]({
    source: { kind: "keystore" },
    keystore: createKeystore(home),
  });
  const found: FoundKey[] = [];
  for (const p of places) {
    try {
      found.push({ name, ...p, record: await p.keystore.get(name) });
    } catch (err) {
      if (!isFastposError(err, "KEYSTORE_NOT_FOUND")) throw err;
    }
  }
  const [first, second] = found;
  if (!first) {
    if (/^fp1/i.test(name))
      throw new UserError("BAD_ADDRESS", `"${name}" is not a valid address (checksum)`, {
        hint: "check for a typo; copy addresses from `fastpos keys list` or `fastpos devnet status`",
      });
    throw new UserError(
      "KEY_NOT_FOUND",
      `no key named "${name}" in ${places.map((p) => sourceLabel(p.source)).join(" or ")}`,
      { hint: "see `fastpos keys list` (it shows keystore and devnet keys)" },
    );
  }
  return second ? { ...first, shadows: second.source } : first;
}

/** The one-line warning printed when a name exists in two places. */
export function shadowWarning(k: FoundKey): string | undefined {
  if (!k.shadows) return undefined;
  return `Warning: key "${k.name}" exists in the ${sourceLabel(k.source)} and the ${sourceLabel(k.shadows)}; using the ${sourceLabel(k.source)}'s (${k.record.address})`;
}

/** Loads the signing keypair of a found key (may need its password). */
export async function loadFound(
  k: FoundKey,
  password: string | undefined,
  purpose: "account" | "consensus" = "account",
): Promise<LoadedKeypair> {
  return loadKeypair(k.keystore, k.name, { password: await passwordFor(k.record, password), purpose });
}

/** Every key: the keystore's, then each devnet's, with its source (for `keys list`). */
export async function allKeys(
  home: string,
  devnets: string[],
): Promise<(KeyRecord & { source: string; shadowed: boolean })[]> {
  const out: (KeyRecord & { source: string; shadowed: boolean })[] = [];
  for (const r of await createKeystore(home).list()) out.push({ ...r, source: "keystore", shadowed: false });
  for (const d of devnets)
    for (const r of await createKeystore(devnetDir(home, d)).list())
      out.push({ ...r, source: sourceLabel({ kind: "devnet", devnet: d }), shadowed: false });
  const count = new Map<string, number>();
  for (const k of out) count.set(k.name, (count.get(k.name) ?? 0) + 1);
  for (const k of out) k.shadowed = (count.get(k.name) ?? 0) > 1;
  return out;
}
