import { Flags } from "@oclif/core";
import { fromHex, toHex } from "../core/codec/index.js";
import { getPublicKey } from "../core/crypto/index.js";
import { UserError } from "./errors.js";
import type { TxContext } from "./tx-command.js";

/** Flags and parsers shared by the product-layer commands (docs/product-layer.md). */

export const hashFlag = (description: string) =>
  Flags.string({ description: `${description} (0x + 64 hex digits)`, required: true });
export const epochFlag = Flags.string({ description: "Epoch [default: the current one]" });
export const oracleKeyFlag = Flags.string({
  description: "Oracle committee member key name (repeat: at least the threshold)",
  multiple: true,
  required: true,
});

/** A 0x-hex 32-byte hash flag, or a one-line user error. */
export function parseHash(name: string, v: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(v))
    throw new UserError("BAD_HASH", `--${name} must be 0x followed by 64 hex digits, got "${v}"`, {
      hint: "e.g. the SHA-256 of your evidence: `sha256sum file` with 0x in front",
    });
  return fromHex(v.toLowerCase(), 32);
}

/** `--epoch` as given, or the epoch of the node's next block. */
export async function epochOrCurrent(c: TxContext, v: string | undefined, offset = 0n): Promise<bigint> {
  if (v !== undefined) {
    if (!/^\d{1,19}$/.test(v))
      throw new UserError("BAD_EPOCH", `--epoch must be a non-negative integer, got "${v}"`);
    return BigInt(v);
  }
  const info = await c.client.validators();
  const e = BigInt(info.epoch) + offset;
  return e < 0n ? 0n : e;
}

/**
 * The oracle keys named by `--oracle-key`, each with its index in the committee in force.
 * @throws UserError ORACLE_NONE (no committee) | ORACLE_NOT_MEMBER (a key is not a member)
 */
export async function oracleSigners(c: TxContext, names: string[]) {
  const { committee } = await c.client.oracle();
  if (!committee)
    throw new UserError("ORACLE_NONE", "this chain has no oracle committee", {
      hint: "genesis `oracle` sets one; `devnet up` creates oracle-0…oracle-2",
    });
  const out = [];
  for (const name of names) {
    const key = await c.loadKey(name);
    const member = committee.members.indexOf(toHex(getPublicKey(key.secretKey)));
    if (member < 0)
      throw new UserError("ORACLE_NOT_MEMBER", `key "${name}" is not a member of the oracle committee`, {
        hint: "see `fastpos query oracle`",
      });
    out.push({ member, secretKey: key.secretKey });
  }
  if (out.length < committee.threshold)
    throw new UserError(
      "ORACLE_TOO_FEW",
      `${out.length} oracle key(s) given, the committee needs ${committee.threshold}`,
      { hint: "repeat --oracle-key" },
    );
  return out;
}
