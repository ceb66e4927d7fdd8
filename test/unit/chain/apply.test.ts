import { describe, expect, it } from "vitest";
import {
  AccountCodec,
  accountKey,
  applyBlock,
  applyTxToTree,
  BlockError,
  buildBlock,
  createTransferTx,
  decodeTx,
  encodeTx,
  getAccount,
  proposerFor,
  signTx,
  stateRoot,
  TxError,
  totalSupply,
  txFromJson,
  txToJson,
} from "../../../src/core/chain/index.js";
import { addressBytes, decodeAddress, encode, U64_MAX } from "../../../src/core/index.js";
import { buildChain, devChain, signCommit } from "../../helpers/chain.js";

const chain = devChain(4);
const [alice, bob] = chain.accounts as [(typeof chain.accounts)[0], (typeof chain.accounts)[0]];
const feeTo = addressBytes(chain.accounts[3]!.publicKey);
const ctx = { chainId: chain.state.chainId, params: chain.state.params, feeRecipient: feeTo, height: 1n };
const transfer = (o: Partial<Parameters<typeof createTransferTx>[0]> = {}) =>
  createTransferTx({
    chainId: chain.state.chainId,
    secretKey: alice.secretKey,
    to: bob.address,
    amount: 10n,
    nonce: 0n,
    fee: 1n,
    ...o,
  });

function txCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof TxError) return err.code;
    throw err;
  }
  return undefined;
}

describe("applyTx", () => {
  it("moves the amount, charges the fee to the fee recipient and bumps the nonce", () => {
    const tree = applyTxToTree(chain.state.tree, transfer(), ctx);
    const a0 = getAccount(chain.state.tree, decodeAddress(alice.address));
    expect(getAccount(tree, decodeAddress(alice.address))).toEqual({ balance: a0.balance - 11n, nonce: 1n });
    expect(getAccount(tree, decodeAddress(bob.address)).balance).toBe(
      getAccount(chain.state.tree, decodeAddress(bob.address)).balance + 10n,
    );
    expect(getAccount(tree, feeTo).balance).toBe(getAccount(chain.state.tree, feeTo).balance + 1n);
    // The input tree is unchanged (persistence).
    expect(getAccount(chain.state.tree, decodeAddress(alice.address))).toEqual(a0);
  });

  it("rejects each invalid case with its code", () => {
    expect(txCode(() => applyTxToTree(chain.state.tree, transfer({ nonce: 1n }), ctx))).toBe("TX_BAD_NONCE");
    expect(txCode(() => applyTxToTree(chain.state.tree, transfer({ amount: 10n ** 15n }), ctx))).toBe(
      "TX_INSUFFICIENT_FUNDS",
    );
    expect(txCode(() => applyTxToTree(chain.state.tree, transfer({ amount: 0n }), ctx))).toBe(
      "TX_ZERO_AMOUNT",
    );
    expect(txCode(() => applyTxToTree(chain.state.tree, transfer({ chainId: "other" }), ctx))).toBe(
      "TX_WRONG_CHAIN",
    );
    expect(
      txCode(() =>
        applyTxToTree(chain.state.tree, transfer(), { ...ctx, params: { ...ctx.params, minFee: 5n } }),
      ),
    ).toBe("TX_FEE_TOO_LOW");
    const forged = { ...transfer(), signature: transfer({ amount: 11n }).signature };
    expect(txCode(() => applyTxToTree(chain.state.tree, forged, ctx))).toBe("TX_BAD_SIGNATURE");
    // An account that never received funds cannot pay.
    const stranger = createTransferTx({
      chainId: ctx.chainId,
      secretKey: new Uint8Array(32).fill(5),
      to: bob.address,
      amount: 1n,
      nonce: 0n,
      fee: 1n,
    });
    expect(txCode(() => applyTxToTree(chain.state.tree, stranger, ctx))).toBe("TX_INSUFFICIENT_FUNDS");
  });

  it("rejects a transfer that would overflow the recipient's balance (checked u64, never a wrap)", () => {
    // Total supply caps balances, so craft the edge directly in the tree.
    const bobAddr = decodeAddress(bob.address);
    const full = chain.state.tree.set(
      accountKey(bobAddr),
      encode(AccountCodec, { balance: U64_MAX - 5n, nonce: 0n }),
    );
    expect(txCode(() => applyTxToTree(full, transfer({ amount: 5n }), ctx))).toBeUndefined();
    expect(txCode(() => applyTxToTree(full, transfer({ amount: 6n }), ctx))).toBe("TX_OVERFLOW");
  });

  it("encodes, decodes and converts to and from JSON losslessly", () => {
    const tx = transfer();
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    expect(txFromJson(JSON.parse(JSON.stringify(txToJson(tx))))).toEqual(tx);
    expect(() => txFromJson({ type: "transfer" })).toThrow(TxError);
    const resigned = signTx(alice.secretKey, tx.body);
    expect(resigned.signature).toEqual(tx.signature);
  });
});

describe("applyBlock / buildBlock", () => {
  it("builds and applies a chain of blocks; the proposer's state equals the re-executed state", () => {
    const txs = [transfer(), transfer({ nonce: 1n }), transfer({ nonce: 5n })];
    const proposer = proposerFor(chain.state.validatorSet, 0).address;
    const built = buildBlock(chain.state, {
      txs,
      time: chain.state.lastBlockTime + 100n,
      proposer,
      lastCommit: null,
    });
    expect(built.block.txs).toHaveLength(2);
    expect(built.rejected.map((r) => r.error.code)).toEqual(["TX_BAD_NONCE"]);
    const applied = applyBlock(chain.state, built.block);
    expect(stateRoot(applied.state)).toEqual(stateRoot(built.state));
    expect(applied.state.height).toBe(1n);
    expect(applied.changes.length).toBeGreaterThanOrEqual(3);
  });

  it("rejects blocks with a wrong height, parent, time, tx root, state root or commit", () => {
    const { blocks, states } = buildChain(chain, [[transfer()], [transfer({ nonce: 1n })]]);
    const [b1, b2] = blocks as [(typeof blocks)[0], (typeof blocks)[0]];
    const s1 = states[0]!;
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        if (err instanceof BlockError) return err.code;
        throw err;
      }
      return "OK";
    };
    expect(code(() => applyBlock(s1, b2))).toBe("OK");
    expect(code(() => applyBlock(chain.state, b2))).toBe("BLOCK_BAD_HEIGHT");
    expect(
      code(() => applyBlock(s1, { ...b2, header: { ...b2.header, parentHash: new Uint8Array(32) } })),
    ).toBe("BLOCK_BAD_PARENT");
    expect(code(() => applyBlock(s1, { ...b2, header: { ...b2.header, time: b1.header.time } }))).toBe(
      "BLOCK_BAD_TIME",
    );
    expect(code(() => applyBlock(s1, { ...b2, txs: [] }))).toBe("BLOCK_BAD_TX_ROOT");
    expect(
      code(() => applyBlock(s1, { ...b2, header: { ...b2.header, stateRoot: new Uint8Array(32) } })),
    ).toBe("BLOCK_BAD_STATE_ROOT");
    expect(code(() => applyBlock(s1, b2, { now: b1.header.time - 10_000n }))).toBe("BLOCK_BAD_TIME");
    // A commit signed by only 2 of 4 validators is not >2/3.
    const weak = signCommit(s1, chain.consensus.slice(0, 2), 1n, b2.lastCommit!.blockHash);
    expect(code(() => applyBlock(s1, { ...b2, lastCommit: weak }))).toBe("BLOCK_BAD_LAST_COMMIT");
    expect(
      code(() => applyBlock(s1, { ...b2, header: { ...b2.header, proposer: new Uint8Array(20) } })),
    ).toBe("BLOCK_UNKNOWN_PROPOSER");
  });

  it("conserves supply across blocks (fees go to the proposer's operator)", () => {
    const { states } = buildChain(chain, [[transfer()], [transfer({ nonce: 1n, fee: 7n })]]);
    expect(totalSupply(states[1]!)).toBe(totalSupply(chain.state));
  });
});
