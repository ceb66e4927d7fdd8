import { TxError } from "../errors.js";
import { PRODUCT_PAYLOAD_VERSION } from "../product-tx.js";

/** Shared checks of the product-layer payloads (docs/product-layer.md). */

/** @throws TxError TX_BAD_ARGUMENT for any payload version but the current one. */
export function requireVersion(version: number): void {
  if (version !== PRODUCT_PAYLOAD_VERSION)
    throw new TxError(
      { code: "TX_BAD_ARGUMENT", reason: "version" },
      `payload version ${version} is not supported (this chain accepts version ${PRODUCT_PAYLOAD_VERSION})`,
    );
}

/** @throws TxError TX_NOT_FOUND naming what is missing. */
export function notFound(what: string): never {
  throw new TxError({ code: "TX_NOT_FOUND", what }, `no ${what}`);
}

/** What the product-layer txs read beyond the tree. */
export interface ProductTxContext {
  chainId: string;
  /** Epoch of the block the tx is in. */
  epoch: bigint;
  height: bigint;
}
