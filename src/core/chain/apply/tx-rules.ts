import { isAcceptedPublicKey, verify } from "../../crypto/index.js";
import { TxError } from "../errors.js";
import type { Params } from "../params.js";
import { encodeTx, signedTxSignBytes, type Tx } from "../tx.js";

/**
 * The stateless rules every tx must pass, shared by mempool admission (node/admission.ts) and block
 * execution (`applyTx`), so the API and a block give a tx the same verdict (issue 14). Split in two so the
 * cheap part runs first everywhere: a flood of validly shaped junk costs no signature check until it has
 * passed the chain, size and fee rules and the sender's account checks (issue 24 item 4).
 *
 * Order (both callers): `validateTxStatic` → nonce → funds → `validateTxSignature` → payload.
 */

/** What the stateless rules read. */
export interface TxRuleContext {
  chainId: string;
  params: Pick<Params, "maxTxBytes" | "minFee">;
}

/**
 * Chain id, encoded size and fee floor. `size` is the tx's encoded length when the caller holds its bytes.
 * @throws TxError TX_WRONG_CHAIN | TX_TOO_LARGE | TX_FEE_TOO_LOW
 */
export function validateTxStatic(tx: Tx, ctx: TxRuleContext, size = encodeTx(tx).length): void {
  const b = tx.body;
  if (b.chainId !== ctx.chainId) {
    throw new TxError(
      { code: "TX_WRONG_CHAIN", expected: ctx.chainId, got: b.chainId },
      `tx is for chain "${b.chainId}", not "${ctx.chainId}"`,
    );
  }
  if (size > ctx.params.maxTxBytes) {
    throw new TxError(
      { code: "TX_TOO_LARGE", size, max: ctx.params.maxTxBytes },
      `tx is ${size} bytes, max ${ctx.params.maxTxBytes}`,
    );
  }
  if (b.fee < ctx.params.minFee) {
    throw new TxError(
      { code: "TX_FEE_TOO_LOW", min: ctx.params.minFee, got: b.fee },
      `fee ${b.fee} is below the minimum ${ctx.params.minFee}`,
    );
  }
}

/**
 * The sender's key and signature, through THE verify rule (DESIGN.md §2). A small-order or non-canonical
 * key is TX_BAD_PUBLIC_KEY (its verdict is cached per key), any other failure TX_BAD_SIGNATURE.
 * @throws TxError TX_BAD_PUBLIC_KEY | TX_BAD_SIGNATURE
 */
export function validateTxSignature(tx: Tx): void {
  // PERF: `verify` already rejects a key it does not accept; the key is looked at again only to name the
  // failure, so a good tx costs one key-cache look-up, not two.
  if (verify(tx.body.from, signedTxSignBytes(tx), tx.signature)) return;
  if (!isAcceptedPublicKey(tx.body.from))
    throw new TxError({ code: "TX_BAD_PUBLIC_KEY" }, "sender public key is invalid or small-order");
  throw new TxError({ code: "TX_BAD_SIGNATURE" }, "bad signature");
}
