/**
 * Mempool admission (DESIGN.md §5): the one gate a tx passes to enter this node's mempool, from the API or
 * from gossip. It applies the same rules as block execution (core/chain/apply/tx-rules.ts) in the same
 * order, cheapest first, so the API and a block give the same verdict for the same tx (issue 14) and junk
 * costs no signature check until it has passed the account checks (issue 24 item 4):
 *
 *   duplicate → chain, size, fee floor → nonce not used → funds for fee + spend → payload shape →
 *   key and signature (once per tx; blocks built from the mempool skip it) → simulation of non-transfers.
 *
 * Differences from a block, by design: a nonce above the account's next one is queued (the mempool keeps
 * each sender's txs in nonce order), and the funds check counts what the tx spends, not only its fee.
 */
import { checkTransfer } from "../core/chain/apply/transfer.js";
import { applyTxToTree } from "../core/chain/apply/tx.js";
import { validateTxSignature, validateTxStatic } from "../core/chain/apply/tx-rules.js";
import { TxError } from "../core/chain/errors.js";
import { getAccount, type State } from "../core/chain/state.js";
import { payloadSpend, type Tx } from "../core/chain/tx.js";
import { toHex } from "../core/codec/index.js";
import { addressBytes } from "../core/crypto/index.js";
import type { Mempool } from "./mempool.js";

export interface AdmissionDeps {
  /** The latest committed state (admission checks against it). */
  state: () => State;
  mempool: Mempool<Tx>;
  /** A tx entered the mempool (not called for duplicates or rejections). */
  onAdmitted: (hash: string, tx: Tx, evicted: number) => void;
}

/**
 * `admit(tx, bytes, hash)`: true when the tx entered the mempool, false when it was already there.
 * `bytes` are the tx's canonical encoding and `hash` their hex SHA-256, so nothing is re-encoded or hashed.
 * @throws TxError / MempoolError (typed, with a code) when the tx is rejected.
 */
export type Admit = (tx: Tx, bytes: Uint8Array, hash: string) => boolean;

export function createAdmission(deps: AdmissionDeps): Admit {
  const { mempool } = deps;
  return function admit(tx, bytes, hash) {
    if (mempool.has(hash)) return false;
    const s = deps.state();
    const b = tx.body;
    validateTxStatic(tx, s, bytes.length);
    const sender = addressBytes(b.from);
    const acct = getAccount(s, sender);
    if (b.nonce < acct.nonce) {
      throw new TxError(
        { code: "TX_BAD_NONCE", expected: acct.nonce, got: b.nonce },
        `nonce ${b.nonce} already used; next is ${acct.nonce}`,
      );
    }
    const need = b.fee + payloadSpend(b.payload);
    if (acct.balance < need) {
      throw new TxError(
        { code: "TX_INSUFFICIENT_FUNDS", need, have: acct.balance },
        `insufficient funds: need ${need}, have ${acct.balance}`,
      );
    }
    if (b.payload.type === "transfer") checkTransfer(b.payload.value);
    validateTxSignature(tx);
    // PERF: a transfer's stateful checks are the ones above (a recipient overflowing u64 is left to block
    // building); the sender's next non-transfer is executed against the latest state now, so stateful
    // errors (unknown validator, not jailed, below min stake…) reach the user instead of a block builder.
    if (b.nonce === acct.nonce && b.payload.type !== "transfer") {
      applyTxToTree(s.tree, tx, {
        chainId: s.chainId,
        params: s.params,
        feeRecipient: sender,
        height: s.height + 1n,
        signatureVerified: true,
      });
    }
    const res = mempool.add(
      { hash, sender: toHex(sender).slice(2), nonce: b.nonce, fee: b.fee, size: bytes.length, tx },
      acct.nonce,
    );
    deps.onAdmitted(hash, tx, res.evicted.length);
    return true;
  };
}
