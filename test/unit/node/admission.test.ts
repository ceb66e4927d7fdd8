import { describe, expect, it } from "vitest";
import {
  AccountCodec,
  accountKey,
  applyTxToTree,
  createTransferTx,
  createTx,
  type State,
  signTx,
  type Tx,
  type TxPayload,
} from "../../../src/core/chain/index.js";
import { encodeTx, hashTx } from "../../../src/core/chain/tx.js";
import { addressBytes, encode, encodeAddress, getPublicKey, toHex } from "../../../src/core/index.js";
import { createAdmission } from "../../../src/node/admission.js";
import { Mempool } from "../../../src/node/mempool.js";
import { buildChain, devChain } from "../../helpers/chain.js";

/**
 * Issue 14 item 2: one stateless tx rule in core, used by admission and by block execution, so the API
 * and a block give the same verdict for the same tx — pinned here for every code admission can return.
 * Issue 24 item 4: the cheap checks come first, so junk from unfunded keys costs no signature check.
 */
const chain = devChain(4);
const [alice, bob] = chain.accounts as [(typeof chain.accounts)[0], (typeof chain.accounts)[0]];
// One block in, so alice's next nonce is 1 (a used nonce exists to be rejected).
const { states } = buildChain(chain, [
  [
    createTransferTx({
      chainId: chain.state.chainId,
      secretKey: alice.secretKey,
      to: bob.address,
      amount: 5n,
      nonce: 0n,
    }),
  ],
]);
const base = states[0] as State;

/** The identity point: a small-order public key that verify() always rejects. */
const SMALL_ORDER = new Uint8Array(32);
SMALL_ORDER[0] = 1;

function withFunded(state: State, publicKey: Uint8Array): State {
  const tree = state.tree.set(
    accountKey(addressBytes(publicKey)),
    encode(AccountCodec, { balance: 1_000n, nonce: 0n }),
  );
  return { ...state, tree };
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

function admissionVerdict(state: State, tx: Tx): string | undefined {
  const admit = createAdmission({
    state: () => state,
    mempool: new Mempool<Tx>({ maxTxs: 100, maxBytes: 1 << 20, maxPerSender: 10 }),
    onAdmitted: () => {},
  });
  return codeOf(() => admit(tx, encodeTx(tx), toHex(hashTx(tx))));
}

function blockVerdict(state: State, tx: Tx): string | undefined {
  const ctx = {
    chainId: state.chainId,
    params: state.params,
    feeRecipient: new Uint8Array(20),
    height: state.height + 1n,
  };
  return codeOf(() => applyTxToTree(state.tree, tx, ctx));
}

const payloadTx = (payload: TxPayload, nonce = 1n, fee = 1n) =>
  createTx({ chainId: base.chainId, secretKey: alice.secretKey, nonce, fee, payload });
const transfer = (o: Partial<Parameters<typeof createTransferTx>[0]> = {}) =>
  createTransferTx({
    chainId: base.chainId,
    secretKey: alice.secretKey,
    to: bob.address,
    amount: 10n,
    nonce: 1n,
    fee: 1n,
    ...o,
  });
const unfunded = new Uint8Array(32).fill(77);
const forged = (tx: Tx): Tx => ({ ...tx, signature: tx.signature.map((b, i) => (i === 0 ? b ^ 1 : b)) });
const smallOrderTx = signTx(alice.secretKey, { ...transfer({ nonce: 0n }).body, from: SMALL_ORDER });

const cases: [string, State, Tx][] = [
  ["TX_WRONG_CHAIN", base, transfer({ chainId: "other-chain" })],
  ["TX_TOO_LARGE", { ...base, params: { ...base.params, maxTxBytes: 60 } }, transfer()],
  ["TX_FEE_TOO_LOW", { ...base, params: { ...base.params, minFee: 5n } }, transfer()],
  ["TX_BAD_NONCE", base, transfer({ nonce: 0n })],
  ["TX_INSUFFICIENT_FUNDS", base, transfer({ secretKey: unfunded, nonce: 0n })],
  ["TX_BAD_SIGNATURE", base, forged(transfer())],
  ["TX_BAD_PUBLIC_KEY", withFunded(base, SMALL_ORDER), smallOrderTx],
  ["TX_ZERO_AMOUNT", base, transfer({ amount: 0n })],
  ["TX_NOT_JAILED", base, payloadTx({ type: "unjail", value: { validator: chain.consensus[0]!.address } })],
  [
    "TX_UNKNOWN_VALIDATOR",
    base,
    payloadTx({ type: "delegate", value: { validator: new Uint8Array(20), amount: 1n } }),
  ],
];

describe("mempool admission and block execution share one verdict", () => {
  for (const [code, state, tx] of cases) {
    it(`${code}: the API and a block reject the tx with the same code`, () => {
      expect(admissionVerdict(state, tx)).toBe(code);
      expect(blockVerdict(state, tx)).toBe(code);
    });
  }

  it("admits a valid tx once, queues a future nonce, and reports duplicates as not admitted", () => {
    const admitted: string[] = [];
    const mempool = new Mempool<Tx>({ maxTxs: 100, maxBytes: 1 << 20, maxPerSender: 10 });
    const admit = createAdmission({ state: () => base, mempool, onAdmitted: (h) => admitted.push(h) });
    const tx = transfer();
    const later = transfer({ nonce: 2n });
    expect(admit(tx, encodeTx(tx), toHex(hashTx(tx)))).toBe(true);
    expect(admit(tx, encodeTx(tx), toHex(hashTx(tx)))).toBe(false);
    expect(admit(later, encodeTx(later), toHex(hashTx(later)))).toBe(true);
    expect(admitted).toEqual([toHex(hashTx(tx)), toHex(hashTx(later))]);
    expect(mempool.size).toBe(2);
  });

  it("checks the sender's funds before its signature (junk from unfunded keys costs no verify)", () => {
    // A forged signature from an unfunded key: the funds rule answers first, on both sides.
    const junk = forged(transfer({ secretKey: unfunded, nonce: 0n }));
    expect(admissionVerdict(base, junk)).toBe("TX_INSUFFICIENT_FUNDS");
    expect(blockVerdict(base, junk)).toBe("TX_INSUFFICIENT_FUNDS");
    expect(encodeAddress(addressBytes(getPublicKey(unfunded)))).toMatch(/^fp1/);
  });
});
