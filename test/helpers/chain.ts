import {
  applyBlock,
  type Block,
  buildBlock,
  type Commit,
  commitVote,
  proposerFor,
  type State,
  stateFromGenesis,
  type Tx,
  voteSignBytes,
} from "../../src/core/chain/index.js";
import {
  addressBytes,
  createDefaultGenesis,
  deriveDevValidators,
  encodeAddress,
  getPublicKey,
  sign,
} from "../../src/core/index.js";

/** A dev chain with known validator and account keys (DEV_MNEMONIC), for tests. */
export function devChain(validators = 4) {
  const genesis = createDefaultGenesis({ validators });
  const { secrets } = deriveDevValidators(validators);
  const accounts = secrets.map((s) => ({
    secretKey: s.accountKey,
    publicKey: getPublicKey(s.accountKey),
    address: encodeAddress(addressBytes(getPublicKey(s.accountKey))),
  }));
  const consensus = secrets.map((s) => ({
    secretKey: s.consensusKey,
    address: addressBytes(getPublicKey(s.consensusKey)),
  }));
  return { genesis, state: stateFromGenesis(genesis), accounts, consensus };
}

/** Everyone precommits `blockHash` at (height, round 0): a valid commit. */
export function signCommit(
  state: State,
  consensus: { secretKey: Uint8Array; address: Uint8Array }[],
  height: bigint,
  blockHash: Uint8Array,
): Commit {
  const commit: Commit = { height, round: 0, blockHash, signatures: [] };
  for (const c of consensus) {
    commit.signatures.push({
      validator: c.address,
      signature: sign(c.secretKey, voteSignBytes(state.chainId, commitVote(commit, c.address))),
    });
  }
  return commit;
}

/** Builds and applies `txsPerBlock` batches into successive blocks; returns the blocks and states. */
export function buildChain(
  chain: ReturnType<typeof devChain>,
  batches: Tx[][],
): { blocks: Block[]; states: State[]; commits: Commit[] } {
  let state = chain.state;
  let lastCommit: Commit | null = null;
  const blocks: Block[] = [];
  const states: State[] = [];
  const commits: Commit[] = [];
  for (const txs of batches) {
    const proposer = proposerFor(state.validatorSet, 0).address;
    const built = buildBlock(state, { txs, time: state.lastBlockTime + 200n, proposer, lastCommit });
    const applied = applyBlock(state, built.block);
    state = applied.state;
    lastCommit = signCommit(state, chain.consensus, state.height, applied.hash);
    blocks.push(built.block);
    states.push(state);
    commits.push(lastCommit);
  }
  return { blocks, states, commits };
}
