import { expect } from "vitest";
import {
  type AppliedBlock,
  applyBlock,
  type Block,
  type BuiltBlock,
  buildBlock,
  type Commit,
  commitVote,
  createGenesis,
  createTx,
  type DuplicateVoteEvidence,
  deriveDevValidators,
  type Evidence,
  indexOfValidator,
  isQuorum,
  type Params,
  PRESETS,
  ProposalCodec,
  proposalEvidence,
  proposerFor,
  type State,
  stateFromGenesis,
  type Tx,
  type TxPayload,
  type VoteType,
  voteEvidence,
  voteSignBytes,
} from "../../src/core/chain/index.js";
import {
  addressBytes,
  encode,
  encodeAddress,
  getPublicKey,
  sha256,
  sign,
  signBytes,
} from "../../src/core/index.js";

/** Params small enough to cross every slashing threshold in a few dozen blocks. */
export const SLASHING_TEST_PARAMS: Params = {
  ...PRESETS.dev,
  epochLength: 10n,
  unbondingEpochs: 3n,
  evidenceMaxAgeBlocks: 20n,
  signedBlocksWindow: 10,
  minSignedPerWindow: 5_000, // at most 5 of 10 missed
  downtimeJailDuration: 6n,
  slashFractionDoubleSign: 500,
  slashFractionDowntime: 100,
};

export interface Key {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  address: Uint8Array;
}

/** A chain of `n` dev validators (operator i funded) with `params`, plus every key a test needs. */
export function slashingChain(n = 5, params: Params = SLASHING_TEST_PARAMS) {
  const { validators, accounts, secrets } = deriveDevValidators(n);
  const genesis = createGenesis({ params, validators, accounts });
  const key = (secretKey: Uint8Array): Key => {
    const publicKey = getPublicKey(secretKey);
    return { secretKey, publicKey, address: addressBytes(publicKey) };
  };
  return {
    genesis,
    state: stateFromGenesis(genesis),
    operators: secrets.map((s) => key(s.accountKey)),
    consensus: secrets.map((s) => key(s.consensusKey)),
  };
}
export type SlashingChain = ReturnType<typeof slashingChain>;

/** Two signed votes by validator `who` at (height, round, type) for different blocks, as a block item. */
export function doubleSign(
  chainId: string,
  who: Key,
  height: bigint,
  o: { round?: number; type?: VoteType; salt?: number } = {},
): Evidence {
  return voteEvidence(doubleSignVotes(chainId, who, height, o));
}

/** Two signed proposals by `who` at (height, round) for different blocks, as a block item. */
export function doublePropose(
  chainId: string,
  who: Key,
  height: bigint,
  round = 0,
  polRound: number | null = null,
): Evidence {
  const signed = (tag: number) => {
    const proposal = {
      height,
      round,
      polRound,
      blockHash: sha256(new Uint8Array([tag, 9])),
      proposer: who.address,
    };
    const bytes = signBytes("proposal", chainId, encode(ProposalCodec, proposal));
    return { proposal, signature: sign(who.secretKey, bytes) };
  };
  return proposalEvidence({ a: signed(1), b: signed(2) });
}

/** Two signed votes by validator `who` at (height, round, type) for different blocks. */
export function doubleSignVotes(
  chainId: string,
  who: Key,
  height: bigint,
  o: { round?: number; type?: VoteType; salt?: number } = {},
): DuplicateVoteEvidence {
  const vote = (tag: number) => ({
    type: o.type ?? ("prevote" as VoteType),
    height,
    round: o.round ?? 0,
    blockHash: sha256(new Uint8Array([tag, o.salt ?? 0])),
    validator: who.address,
  });
  const signed = (tag: number) => ({
    vote: vote(tag),
    signature: sign(who.secretKey, voteSignBytes(chainId, vote(tag))),
  });
  return { a: signed(1), b: signed(2) };
}

/** What one step of the driver below did. */
export interface Step {
  built: BuiltBlock;
  applied: AppliedBlock;
  state: State;
}

/**
 * Drives a chain block by block like a network would: the proposer builds (buildBlock), every validator
 * re-executes (applyBlock must accept it and reach the same root), and the block's commit is signed by the
 * validators of the set that decided it, except the `offline` ones (by index in `chain.consensus`).
 */
export class ChainDriver {
  state: State;
  lastCommit: Commit | null = null;
  /** Bring offline validators back as needed so every commit holds a quorum (random scenarios). */
  keepQuorum = false;
  readonly nonces = new Map<string, bigint>();

  constructor(readonly chain: SlashingChain) {
    this.state = chain.state;
  }

  step(o: { txs?: Tx[]; evidence?: Evidence[]; offline?: number[] } = {}): Step {
    const proposer = proposerFor(this.state.validatorSet, 0).address;
    const built = buildBlock(this.state, {
      txs: o.txs ?? [],
      evidence: o.evidence ?? [],
      time: this.state.lastBlockTime + 100n,
      proposer,
      lastCommit: this.lastCommit,
    });
    const applied = applyBlock(this.state, built.block);
    expect(applied.state.tree.root()).toEqual(built.state.tree.root());
    this.state = applied.state;
    this.lastCommit = this.commitFor(built.block, applied.hash, o.offline ?? []);
    return { built, applied, state: this.state };
  }

  /** Runs `count` empty blocks with the same offline validators. */
  run(count: number, offline: number[] = []): Step[] {
    return Array.from({ length: count }, () => this.step({ offline }));
  }

  /**
   * The commit of the last block: precommits by the set that decided it, minus `offline` — except, with
   * `keepQuorum`, the offline validators needed (lowest index first) to keep more than 2/3 of the power.
   */
  commitFor(block: Block, hash: Uint8Array, offline: number[]): Commit {
    const commit: Commit = { height: block.header.height, round: 0, blockHash: hash, signatures: [] };
    const deciders = this.state.lastValidatorSet;
    const power = (i: number) => {
      const at = indexOfValidator(deciders, (this.chain.consensus[i] as Key).address);
      return at < 0 ? 0n : (deciders.validators[at]?.power ?? 0n);
    };
    const down = new Set(offline);
    const online = () => this.chain.consensus.reduce((sum, _, i) => (down.has(i) ? sum : sum + power(i)), 0n);
    for (const i of [...down].sort((a, b) => a - b)) {
      if (!this.keepQuorum || isQuorum(online(), deciders.totalPower)) break;
      down.delete(i);
    }
    this.chain.consensus.forEach((c, i) => {
      if (down.has(i) || indexOfValidator(deciders, c.address) < 0) return;
      commit.signatures.push({
        validator: c.address,
        signature: sign(c.secretKey, voteSignBytes(this.state.chainId, commitVote(commit, c.address))),
      });
    });
    commit.signatures.sort((a, b) => Buffer.compare(Buffer.from(a.validator), Buffer.from(b.validator)));
    return commit;
  }

  /** A tx from operator `i` with the next nonce this driver handed out for it. */
  tx(i: number, payload: TxPayload): Tx {
    const who = this.chain.operators[i] as Key;
    const id = encodeAddress(who.address);
    const nonce = this.nonces.get(id) ?? 0n;
    this.nonces.set(id, nonce + 1n);
    return createTx({ chainId: this.state.chainId, secretKey: who.secretKey, nonce, payload });
  }

  /** Whether validator `i` is in the active set for the next height. */
  inSet(i: number): boolean {
    return indexOfValidator(this.state.validatorSet, (this.chain.consensus[i] as Key).address) >= 0;
  }
}
