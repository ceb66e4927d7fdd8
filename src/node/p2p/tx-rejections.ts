/**
 * What a refused gossiped tx says about the peer that sent it, and a bounded memory of refused tx hashes
 * (issue 24 item 4), so the same junk is never decoded or verified twice.
 *
 * Classes of refusal (by the error code `admit` throws):
 * - `ban`: the peer sent something no honest node relays (bad signature or key, malformed tx): banned now.
 * - `race`: honest nodes relay these when a block or another tx lands first (nonce already used, nonce gap,
 *   duplicate, replaced): they count 1/20 of a junk tx, so only a flood of them adds up.
 * - `ours`: this node's own limits (mempool full) or a bug without a code: never the peer's fault.
 * - `junk`: everything else (unfunded sender, fee too low, wrong chain...): the tx was valid nowhere the
 *   peer could have seen it, or only in a state far from ours. Counted against the peer's junk score.
 */
export type RejectionClass = "ban" | "race" | "ours" | "junk";

const BAN = new Set(["TX_BAD_SIGNATURE", "TX_BAD_PUBLIC_KEY", "TX_MALFORMED"]);
const RACE = new Set([
  "TX_BAD_NONCE",
  "MEMPOOL_NONCE_TOO_LOW",
  "MEMPOOL_NONCE_GAP",
  "MEMPOOL_DUPLICATE",
  "MEMPOOL_REPLACEMENT_UNDERPRICED",
  "MEMPOOL_SENDER_LIMIT",
]);
const OURS = new Set(["MEMPOOL_FULL"]);
/** Verdicts that no later block can change (a used nonce stays used): remembered for `PERMANENT_MS`. */
const PERMANENT = new Set([
  ...BAN,
  "TX_BAD_NONCE",
  "MEMPOOL_NONCE_TOO_LOW",
  "TX_WRONG_CHAIN",
  "TX_TOO_LARGE",
  "TX_FEE_TOO_LOW",
  "TX_ZERO_AMOUNT",
  "TX_OVERFLOW",
  "TX_UNSUPPORTED_TYPE",
]);

/** Junk-score points per refused tx of each class. */
export const REJECTION_WEIGHT: Record<RejectionClass, number> = { ban: 0, race: 0.05, ours: 0, junk: 1 };
/** How long a verdict is remembered: permanent ones, and ones a new block may change (e.g. unfunded). */
export const PERMANENT_MS = 10 * 60_000;
export const TRANSIENT_MS = 10_000;
/** Most refused hashes remembered (≈ 150 bytes each); past it the oldest are forgotten. */
export const MAX_REJECTED = 50_000;

/** The class of a refusal with error code `code` (undefined: not a typed error). */
export function classifyRejection(code: string | undefined): RejectionClass {
  if (code === undefined || OURS.has(code)) return "ours";
  if (BAN.has(code)) return "ban";
  if (RACE.has(code)) return "race";
  return "junk";
}

/** Refused tx hashes (hex) with their code, bounded in count and time. */
export class RejectedTxs {
  private readonly entries = new Map<string, { code: string; until: number }>();

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly max = MAX_REJECTED,
  ) {}

  /** Remembers a refusal; `ours`-class refusals are not the tx's fault and are not remembered. */
  add(hash: string, code: string | undefined): void {
    if (code === undefined || classifyRejection(code) === "ours") return;
    this.entries.delete(hash);
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(hash, { code, until: this.now() + (PERMANENT.has(code) ? PERMANENT_MS : TRANSIENT_MS) });
  }

  /** The code this tx was refused with, if that verdict still stands. */
  get(hash: string): string | undefined {
    const e = this.entries.get(hash);
    if (!e) return undefined;
    if (e.until > this.now()) return e.code;
    this.entries.delete(hash);
    return undefined;
  }

  get size(): number {
    return this.entries.size;
  }
}
