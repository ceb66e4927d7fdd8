import {
  concatBytes,
  decode,
  encode,
  enumOf,
  option,
  string,
  struct,
  u32,
  u64,
  type ValueOf,
  vector,
} from "../codec/index.js";
import { sha256 } from "../crypto/index.js";
import {
  type OracleCommittee,
  OracleCommitteeCodec,
  type WorkReport,
  WorkReportCodec,
} from "./product-tx.js";
import type { StateTree } from "./state-tree.js";
import { Address20, Hash32 } from "./vote.js";

/**
 * Product-layer state (docs/product-layer.md), all in the state tree so the state root commits to it:
 *
 *   0x00 ‖ "oracle"                     → OracleCommittee (N keys, threshold M, rotation counter)
 *   0x00 ‖ "minted"                     → u64 tokens minted as rewards since genesis
 *   0x00 ‖ "rewardPool"                 → u64 tokens waiting to be paid out at the next epoch boundary
 *   0x10 ‖ u64 epoch ‖ validator        → ReportRecord (the report, its attestation, its fate)
 *   0x11 ‖ validator                    → ValidatorRewards (per-share accumulator, undistributed pot)
 *   0x12 ‖ validator ‖ delegator        → u256 accumulator value the delegation was last paid up to
 *   0x13 ‖ address                      → u64 rewards accrued to an account, withdrawable
 *   0x14 ‖ u64 epoch ‖ validator        → u64 epoch reward vesting until the challenge window closes
 *   0x15 ‖ u64 epoch ‖ validator        → Challenge (open; deleted when resolved)
 *   0x16 ‖ escrow id                    → Escrow
 *   0x17 ‖ escrow id ‖ u32 invoice id   → Invoice (open; deleted when paid or dropped)
 *
 * Supply (see `totalSupply`): pots, accrued rewards, vesting, the pool, challenge bonds and escrow balances
 * are tokens too, so `totalSupply + burned = genesis supply + minted` holds after every block.
 */
const meta = (name: string) => concatBytes(new Uint8Array([0]), new TextEncoder().encode(name));
export const ORACLE_KEY = meta("oracle");
export const MINTED_KEY = meta("minted");
export const REWARD_POOL_KEY = meta("rewardPool");
const epochValidatorKey = (prefix: number, epoch: bigint, validator: Uint8Array) =>
  concatBytes(new Uint8Array([prefix]), encode(u64, epoch), validator);
export const reportKey = (epoch: bigint, validator: Uint8Array) => epochValidatorKey(0x10, epoch, validator);
export const validatorRewardsKey = (validator: Uint8Array) => concatBytes(new Uint8Array([0x11]), validator);
export const rewardDebtKey = (validator: Uint8Array, delegator: Uint8Array) =>
  concatBytes(new Uint8Array([0x12]), validator, delegator);
export const accruedKey = (address: Uint8Array) => concatBytes(new Uint8Array([0x13]), address);
export const vestingKey = (epoch: bigint, validator: Uint8Array) => epochValidatorKey(0x14, epoch, validator);
export const challengeKey = (epoch: bigint, validator: Uint8Array) =>
  epochValidatorKey(0x15, epoch, validator);
export const escrowKey = (escrow: Uint8Array) => concatBytes(new Uint8Array([0x16]), escrow);
export const invoiceKey = (escrow: Uint8Array, id: number) =>
  concatBytes(new Uint8Array([0x17]), escrow, encode(u32, id));

/** Key prefixes whose values hold tokens (for `totalSupply`). */
export const TOKEN_PREFIXES = {
  validatorRewards: 0x11,
  accrued: 0x13,
  vesting: 0x14,
  challenge: 0x15,
  escrow: 0x16,
};

export const ReportStatusCodec = enumOf(["open", "fraud", "upheld"] as const);
export const ReportRecordCodec = struct({
  report: WorkReportCodec,
  /** Operator account that posted it. */
  reporter: Address20,
  /** Height of the block that carried it (a fraud slash reaches unbondings from here on). */
  height: u64,
  /** The committee's score, once attested. */
  score: option(u32),
  status: ReportStatusCodec,
});
export type ReportRecord = ValueOf<typeof ReportRecordCodec>;

/** u256 big-endian (the reward accumulator is scaled by REWARD_SCALE and can pass 2^64). */
const U256 = Hash32;
export const ValidatorRewardsCodec = struct({
  /** Σ (delegator reward × REWARD_SCALE / shares) over all payouts. */
  accPerShare: U256,
  /** Tokens paid to delegators but not yet settled into their accounts. */
  pot: u64,
});
export type ValidatorRewards = { accPerShare: bigint; pot: bigint };
/** Fixed-point scale of the per-share accumulator. */
export const REWARD_SCALE = 10n ** 18n;

export const ChallengeRecordCodec = struct({
  challenger: Address20,
  bond: u64,
  evidenceHash: Hash32,
  uri: string(256),
  height: u64,
});
export type ChallengeRecord = ValueOf<typeof ChallengeRecordCodec>;

/** Most invoices open on one escrow at once (bounds the refund's work). */
export const MAX_OPEN_INVOICES = 256;
export const EscrowCodec = struct({
  owner: Address20,
  balance: u64,
  /** Next invoice id. */
  nextInvoice: u32,
  open: vector(u32, MAX_OPEN_INVOICES),
  /** Epoch from which the unused deposit may be refunded; null until `billing-close`. */
  refundEpoch: option(u64),
});
export type Escrow = ValueOf<typeof EscrowCodec>;
export const InvoiceCodec = struct({ validator: Address20, amount: u64, usageHash: Hash32 });
export type Invoice = ValueOf<typeof InvoiceCodec>;

export function u256ToBytes(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let x = v;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}
export function bytesToU256(b: Uint8Array): bigint {
  let x = 0n;
  for (const byte of b) x = (x << 8n) | BigInt(byte);
  return x;
}

/** SHA-256 of a report's canonical encoding: what attestations sign (`reportHash`). */
export function hashWorkReport(r: WorkReport): Uint8Array {
  return sha256(encode(WorkReportCodec, r));
}

export function readU64(tree: StateTree, key: Uint8Array): bigint {
  const raw = tree.get(key);
  return raw ? decode(u64, raw) : 0n;
}
/** Writes a u64 counter; zero deletes the key, so empty items cost no state. */
export function writeU64(tree: StateTree, key: Uint8Array, v: bigint): StateTree {
  return v === 0n ? tree.delete(key) : tree.set(key, encode(u64, v));
}

export function readOracle(tree: StateTree): OracleCommittee | null {
  const raw = tree.get(ORACLE_KEY);
  return raw ? decode(OracleCommitteeCodec, raw) : null;
}
export function readReport(tree: StateTree, epoch: bigint, validator: Uint8Array): ReportRecord | undefined {
  const raw = tree.get(reportKey(epoch, validator));
  return raw ? decode(ReportRecordCodec, raw) : undefined;
}
export function writeReport(tree: StateTree, r: ReportRecord): StateTree {
  return tree.set(reportKey(r.report.epoch, r.report.validator), encode(ReportRecordCodec, r));
}
export function readValidatorRewards(tree: StateTree, validator: Uint8Array): ValidatorRewards {
  const raw = tree.get(validatorRewardsKey(validator));
  if (!raw) return { accPerShare: 0n, pot: 0n };
  const d = decode(ValidatorRewardsCodec, raw);
  return { accPerShare: bytesToU256(d.accPerShare), pot: d.pot };
}
export function writeValidatorRewards(
  tree: StateTree,
  validator: Uint8Array,
  r: ValidatorRewards,
): StateTree {
  return tree.set(
    validatorRewardsKey(validator),
    encode(ValidatorRewardsCodec, { accPerShare: u256ToBytes(r.accPerShare), pot: r.pot }),
  );
}
export function readChallenge(
  tree: StateTree,
  epoch: bigint,
  validator: Uint8Array,
): ChallengeRecord | undefined {
  const raw = tree.get(challengeKey(epoch, validator));
  return raw ? decode(ChallengeRecordCodec, raw) : undefined;
}
export function readEscrow(tree: StateTree, escrow: Uint8Array): Escrow | undefined {
  const raw = tree.get(escrowKey(escrow));
  return raw ? decode(EscrowCodec, raw) : undefined;
}
export function writeEscrow(tree: StateTree, escrow: Uint8Array, e: Escrow): StateTree {
  return tree.set(escrowKey(escrow), encode(EscrowCodec, e));
}
export function readInvoice(tree: StateTree, escrow: Uint8Array, id: number): Invoice | undefined {
  const raw = tree.get(invoiceKey(escrow, id));
  return raw ? decode(InvoiceCodec, raw) : undefined;
}
/** The id of the escrow opened by `owner`'s tx with nonce `nonce`. */
export function escrowIdOf(owner: Uint8Array, nonce: bigint): Uint8Array {
  return sha256(concatBytes(owner, encode(u64, nonce)));
}
