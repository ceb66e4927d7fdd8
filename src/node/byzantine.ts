/**
 * A byzantine validator for tests and demos (issue 15): with `unsafe.byzantine.equivocate` set, this node signs
 * a second, conflicting message of that kind for every one it signs honestly, bypassing its own double-sign
 * guard, so the network's evidence handling and slashing can be exercised with real processes.
 *
 * SECURITY: it must be impossible by accident. The node refuses to start in this mode unless
 * `unsafe.enabled` is true too and the chain id is a devnet's, and it logs a loud warning when it does.
 */
import type { Vote } from "../core/chain/vote.js";
import { concatBytes, encode, u32, u64 } from "../core/codec/index.js";
import { sha256 } from "../core/crypto/index.js";
import { FastposError } from "../core/errors.js";

export type EquivocateKind = "prevote" | "precommit" | "proposal";

export type ByzantineErrorType =
  | { code: "BYZANTINE_NOT_UNSAFE"; hint: string }
  | { code: "BYZANTINE_NOT_DEVNET"; chainId: string; hint: string }
  | { code: "BYZANTINE_NO_VALIDATOR_KEY"; hint: string };
export class ByzantineError extends FastposError<ByzantineErrorType> {}

/**
 * Chain ids `fastpos devnet up` gives its devnets: `fastpos-<devnet name>` (lowercase letters, digits,
 * dashes; see devnet/resolve.ts), never one that names a main network.
 */
const DEVNET_CHAIN_ID = /^fastpos-[a-z0-9][a-z0-9-]{0,31}$/;

/** Whether `chainId` is one a devnet gets. */
export function isDevnetChainId(chainId: string): boolean {
  return DEVNET_CHAIN_ID.test(chainId) && !/main/.test(chainId);
}

/**
 * Checks that byzantine mode may run here.
 * @throws ByzantineError BYZANTINE_NOT_UNSAFE | BYZANTINE_NOT_DEVNET | BYZANTINE_NO_VALIDATOR_KEY
 */
export function assertByzantineAllowed(o: { unsafe: boolean; chainId: string; validator: boolean }): void {
  if (!o.unsafe) {
    throw new ByzantineError(
      {
        code: "BYZANTINE_NOT_UNSAFE",
        hint: "byzantine mode also needs `unsafe.enabled: true` (`fastpos devnet byzantine … --unsafe` sets both)",
      },
      "refusing to start: unsafe.byzantine is set but unsafe.enabled is not",
    );
  }
  if (!isDevnetChainId(o.chainId)) {
    throw new ByzantineError(
      {
        code: "BYZANTINE_NOT_DEVNET",
        chainId: o.chainId,
        hint: "byzantine mode runs only on devnets (chain id fastpos-<name>); remove unsafe.byzantine from config.yaml",
      },
      `refusing to start: byzantine mode on chain ${o.chainId}, which is not a devnet's`,
    );
  }
  if (!o.validator) {
    throw new ByzantineError(
      { code: "BYZANTINE_NO_VALIDATOR_KEY", hint: "set validatorKey, or remove unsafe.byzantine" },
      "refusing to start: byzantine mode needs a validator key",
    );
  }
}

/** A block hash no honest node proposed, for the conflicting vote of a nil vote. */
function bogusHash(height: bigint, round: number): Uint8Array {
  const tag = new TextEncoder().encode("fastpos/byzantine");
  return sha256(concatBytes(tag, encode(u64, height), encode(u32, round)));
}

/** The vote that conflicts with `v`: nil for a block vote, a made-up block for a nil vote. */
export function conflictingVote(v: Vote): Vote {
  return { ...v, blockHash: v.blockHash ? null : bogusHash(v.height, v.round) };
}

/** The loud line a byzantine node logs at start. */
export const BYZANTINE_WARNING =
  "UNSAFE BYZANTINE MODE: this validator signs conflicting messages on purpose and WILL be slashed and tombstoned";
