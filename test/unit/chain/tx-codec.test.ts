import { describe, expect, it } from "vitest";
import {
  applyBlock,
  buildBlock,
  createTransferTx,
  decodeBlock,
  decodeTx,
  encodeBlock,
  encodeTx,
  proposerFor,
  signedTxSignBytes,
  txSignBytes,
} from "../../../src/core/chain/index.js";
import { devChain } from "../../helpers/chain.js";

const chain = devChain(4);
const [alice, bob] = chain.accounts as [(typeof chain.accounts)[0], (typeof chain.accounts)[0]];
const transfer = (nonce: bigint) =>
  createTransferTx({
    chainId: chain.state.chainId,
    secretKey: alice.secretKey,
    to: bob.address,
    amount: 10n,
    nonce,
    fee: 1n,
  });

function block(txs = [transfer(0n), transfer(1n)]) {
  return buildBlock(chain.state, {
    txs,
    time: chain.state.lastBlockTime + 100n,
    proposer: proposerFor(chain.state.validatorSet, 0).address,
    lastCommit: null,
  });
}

describe("tx codec memo", () => {
  it("a tx decoded inside a block keeps the exact bytes it was read from, as its own copy", () => {
    const bytes = encodeBlock(block().block);
    const decoded = decodeBlock(bytes);
    const tx = decoded.txs[1]!;
    const own = encodeTx(tx);
    expect(encodeTx(tx)).toBe(own); // memoised, not re-encoded
    expect(decodeTx(own)).toEqual(tx);
    const at = Buffer.from(bytes).indexOf(Buffer.from(own));
    expect(at).toBeGreaterThan(0);
    bytes.fill(0); // the block buffer can be reused: the tx's bytes do not alias it
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    // Re-encoding the decoded block reuses the remembered tx bytes and gives the same block.
    expect(encodeBlock(decoded)).toEqual(encodeBlock(block().block));
  });

  it("sign bytes from a signed tx's encoding equal those from its body", () => {
    const fresh = transfer(7n);
    expect(signedTxSignBytes(fresh)).toEqual(txSignBytes(fresh.body));
    const decoded = decodeTx(encodeTx(transfer(8n)).slice());
    expect(signedTxSignBytes(decoded)).toEqual(txSignBytes(decoded.body));
  });
});

describe("applyBlock inputs that spare work", () => {
  it("skips the signature check only for the very tx objects in verifiedTxs", () => {
    const bad = transfer(0n);
    bad.signature[0]! ^= 1;
    // The builder was told it is verified, so the block carries a badly signed tx.
    const built = buildBlock(chain.state, {
      txs: [bad],
      time: chain.state.lastBlockTime + 100n,
      proposer: proposerFor(chain.state.validatorSet, 0).address,
      lastCommit: null,
      verifiedTxs: new Set([bad]),
    });
    const forged = decodeBlock(encodeBlock(built.block));
    expect(forged.txs).toHaveLength(1);
    const tx = forged.txs[0]!;
    // Not vouched for: the bad signature is found.
    expect(() => applyBlock(chain.state, forged)).toThrow(/signature/);
    // An equal-looking but different object is not vouched for either.
    expect(() => applyBlock(chain.state, forged, { verifiedTxs: new Set([{ ...tx }]) })).toThrow(/signature/);
    // The caller vouches for exactly this object (it verified it at mempool admission).
    expect(() => applyBlock(chain.state, forged, { verifiedTxs: new Set([tx]) })).not.toThrow();
  });

  it("checks the block size limit against encodedSize when the caller has the bytes", () => {
    const built = block();
    const size = encodeBlock(built.block).length;
    const tight = { ...chain.state, params: { ...chain.state.params, maxBlockBytes: size } };
    expect(() => applyBlock(tight, built.block, { encodedSize: size })).not.toThrow();
    expect(() => applyBlock(tight, built.block, { encodedSize: size + 1 })).toThrow(/exceeds/);
  });
});
