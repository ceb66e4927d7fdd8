import {
  applyBlock,
  buildBlock,
  type Commit,
  createGenesis,
  createTx,
  deriveDevOracle,
  deriveDevValidators,
  getAccount,
  type Params,
  PRESETS,
  proposerFor,
  type State,
  stateFromGenesis,
  type Tx,
  type TxPayload,
} from "../../src/core/chain/index.js";
import { addressBytes, encodeAddress, getPublicKey } from "../../src/core/index.js";
import { signCommit } from "./chain.js";

/**
 * A dev chain with an oracle committee (3 members, threshold 2) and product params, plus a block stepper:
 * real buildBlock/applyBlock with real commits, so epoch boundaries run exactly as on a node.
 */
export function productChain(o: { validators?: number; params?: Partial<Params>; oracle?: number } = {}) {
  const n = o.validators ?? 4;
  const { validators, accounts, secrets } = deriveDevValidators(n);
  const oracle = deriveDevOracle(o.oracle ?? 3);
  const user = { secretKey: new Uint8Array(32).fill(7) };
  const userAddress = encodeAddress(addressBytes(getPublicKey(user.secretKey)));
  const params: Params = { ...PRESETS.dev, rewardPerEpoch: 1_000_000n, ...o.params };
  const genesis = createGenesis({
    validators,
    accounts: [...accounts, { address: userAddress, balance: 10_000_000n }],
    params,
    oracle: oracle.oracle,
    workWeightAuthority: accounts[0]?.address,
  });
  const ops = secrets.map((s) => ({
    secretKey: s.accountKey,
    address: addressBytes(getPublicKey(s.accountKey)),
  }));
  const consensus = secrets.map((s) => ({
    secretKey: s.consensusKey,
    address: addressBytes(getPublicKey(s.consensusKey)),
  }));
  const oracleSigners = oracle.secrets.map((secretKey, member) => ({ member, secretKey }));
  const userAcct = { secretKey: user.secretKey, address: addressBytes(getPublicKey(user.secretKey)) };
  let state: State = stateFromGenesis(genesis);
  let lastCommit: Commit | null = null;
  const nonces = new Map<string, bigint>();
  const proposers: Uint8Array[] = [];
  return {
    genesis,
    params,
    ops,
    consensus,
    oracleSigners,
    user: userAcct,
    get state() {
      return state;
    },
    /** A signed tx from `who` with its next nonce (committed nonce + txs made for the next block). */
    tx(who: { secretKey: Uint8Array }, payload: TxPayload, fee = 0n): Tx {
      const address = addressBytes(getPublicKey(who.secretKey));
      const id = encodeAddress(address);
      const nonce = nonces.get(id) ?? getAccount(state, address).nonce;
      nonces.set(id, nonce + 1n);
      return createTx({ chainId: genesis.chainId, secretKey: who.secretKey, nonce, fee, payload });
    },
    /** One block with `txs`; returns the txs it had to drop (with their error codes). */
    step(txs: Tx[] = []) {
      const proposer = proposerFor(state.validatorSet, 0).address;
      proposers.push(proposer);
      nonces.clear();
      const built = buildBlock(state, { txs, time: state.lastBlockTime + 200n, proposer, lastCommit });
      const applied = applyBlock(state, built.block);
      state = applied.state;
      lastCommit = signCommit(state, consensus, state.height, applied.hash);
      return built.rejected.map((r) => r.error.code);
    },
    /** Steps empty blocks until the state is at `height`. */
    toHeight(height: bigint) {
      while (state.height < height) this.step();
    },
    /** Proposer of each block stepped so far. */
    proposers,
  };
}
export type ProductChain = ReturnType<typeof productChain>;
