import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  applyBlock,
  buildBlock,
  ChainError,
  createTransferTx,
  decodeBlock,
  encodeBlock,
  hashBlock,
  proposerFor,
  totalSupply,
} from "../../src/core/chain/index.js";
import { CodecError } from "../../src/core/index.js";
import { buildChain, devChain } from "../helpers/chain.js";

const chain = devChain(4);

describe("chain properties", () => {
  it("any sequence of transfers (valid or not) conserves total supply", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            from: fc.integer({ min: 0, max: 3 }),
            to: fc.integer({ min: 0, max: 3 }),
            amount: fc.bigInt({ min: 0n, max: 2_000_000_000_000n }),
            fee: fc.bigInt({ min: 0n, max: 1000n }),
            nonceSkew: fc.integer({ min: -1, max: 1 }),
          }),
          { maxLength: 12 },
        ),
        (specs) => {
          const nonces = [0n, 0n, 0n, 0n];
          const txs = specs.map((s) => {
            const nonce = (nonces[s.from] as bigint) + BigInt(s.nonceSkew);
            if (s.nonceSkew === 0) nonces[s.from] = (nonces[s.from] as bigint) + 1n;
            return createTransferTx({
              chainId: chain.state.chainId,
              secretKey: chain.accounts[s.from]!.secretKey,
              to: chain.accounts[s.to]!.address,
              amount: s.amount,
              fee: s.fee,
              nonce: nonce < 0n ? 0n : nonce,
            });
          });
          const proposer = proposerFor(chain.state.validatorSet, 0).address;
          const built = buildBlock(chain.state, {
            txs,
            time: chain.state.lastBlockTime + 1n,
            proposer,
            lastCommit: null,
          });
          expect(totalSupply(built.state)).toBe(totalSupply(chain.state));
          expect(applyBlock(chain.state, built.block).state.tree.root()).toEqual(built.state.tree.root());
        },
      ),
      { numRuns: 200 },
    );
  });

  it("applyBlock only ever throws ChainErrors for corrupted blocks", () => {
    const { blocks, states } = buildChain(chain, [[], []]);
    const bytes = encodeBlock(blocks[1]!);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        (pos, flip) => {
          const b = bytes.slice();
          b[pos] = (b[pos] as number) ^ flip;
          let block: ReturnType<typeof decodeBlock>;
          try {
            block = decodeBlock(b);
          } catch (err) {
            expect(err).toBeInstanceOf(CodecError);
            return;
          }
          try {
            applyBlock(states[0]!, block, { now: blocks[1]!.header.time });
          } catch (err) {
            expect(err).toBeInstanceOf(ChainError);
            return;
          }
          // Accepted: only possible for a header field the proposer is free to choose (e.g. a slightly
          // different time). The body is fully committed by the header, so the hash must have changed.
          expect(hashBlock(block)).not.toEqual(hashBlock(blocks[1]!));
        },
      ),
      { numRuns: 500 },
    );
  });
});
