import { describe, expect, it } from "vitest";
import {
  applyBlock,
  createTransferTx,
  decodeBlock,
  encodeBlock,
  stateRoot,
  type Tx,
} from "../../../src/core/chain/index.js";
import { buildChain, devChain } from "../../helpers/chain.js";

describe("deterministic replay", () => {
  it("rebuilds the identical state root at every height from genesis + the block log", () => {
    const chain = devChain(4);
    // A tx log: each block moves funds around all four accounts.
    const nonces = [0n, 0n, 0n, 0n];
    const batches: Tx[][] = [];
    for (let h = 0; h < 50; h++) {
      const batch: Tx[] = [];
      for (let i = 0; i < 4; i++) {
        if ((h + i) % 3 === 0) continue;
        batch.push(
          createTransferTx({
            chainId: chain.state.chainId,
            secretKey: chain.accounts[i]!.secretKey,
            to: chain.accounts[(i + h) % 4]!.address,
            amount: BigInt(1 + ((h * 31 + i) % 1000)),
            fee: BigInt(h % 3),
            nonce: nonces[i]!++,
          }),
        );
      }
      batches.push(batch);
    }
    const { blocks, states } = buildChain(chain, batches);
    // Replay from scratch, through the wire encoding, as a syncing node would.
    let state = devChain(4).state;
    blocks.forEach((b, i) => {
      state = applyBlock(state, decodeBlock(encodeBlock(b))).state;
      expect(stateRoot(state)).toEqual(stateRoot(states[i]!));
    });
    expect(state.height).toBe(50n);
    expect(blocks.reduce((n, b) => n + b.txs.length, 0)).toBeGreaterThan(100);
  });
});
