import {
  type AppliedBlock,
  applyBlock,
  type Block,
  type BuiltBlock,
  buildBlock,
  type Commit,
  hashBlock,
  type State,
  type Tx,
  txSignBytes,
  type UnsignedTx,
  verifyCommit,
  voteSignBytes,
} from "../core/chain/index.js";
import type { Evidence } from "../core/chain/vote.js";
import { ProposalCodec, type SignedProposal, type SignedVote } from "../core/chain/vote.js";
import { bytesEqual, encode, toHex } from "../core/codec/index.js";
import { signBytes, VerifiedSignatures } from "../core/crypto/index.js";
import type { Rng } from "./rng.js";
import type { SimSigner } from "./signer.js";
import type { VerifyPool } from "./verify-pool.js";
import type { World } from "./world.js";

/**
 * The simulator's bridge to the real chain (core/chain): block building, re-execution before prevote,
 * signature checks and block-sync commit checks — each a pure function, so its result is computed once
 * per distinct input and shared by all simulated nodes (PERF: at 100 validators every node would otherwise
 * re-run the same `applyBlock` and re-check the same signature; the verdict cannot differ between nodes).
 */
export class ChainGlue {
  /** Message object → signature verdict. Identity keys: a forged copy is a new object, checked afresh. */
  private sigOk = new WeakMap<object, boolean>();
  /** "parentHash/blockHash" → re-execution result (or the error code that made the block invalid). */
  private applied = new Map<string, AppliedBlock | string>();
  private appliedAt: string[] = [];
  private commitsOk = new WeakMap<Commit, boolean>();
  /** Checks started on the pool when a message was sent: its ticket, key and sign bytes. */
  private tickets = new WeakMap<object, { id: number; publicKey: Uint8Array; message: Uint8Array }>();
  /** Votes checked here: a block's lastCommit carries these very precommits (not checked again). */
  private readonly verified = new VerifiedSignatures();
  verifies = 0;
  applies = 0;

  constructor(
    private readonly world: World,
    private readonly signer: SimSigner,
    readonly pool: VerifyPool | null = null,
  ) {}

  /** Signatures the pool made in advance (sign-and-check tickets), by signature object. */
  private presigned = new WeakMap<Uint8Array, { id: number; publicKey: Uint8Array; message: Uint8Array }>();

  /** Speculative votes asked of the pool: "node/height/round/type/value" → ticket and sign bytes. */
  private speculative = new Map<string, { id: number; message: Uint8Array }>();
  private speculativeHeight = -1n;

  /**
   * A block was proposed: ask the pool now for the prevote and precommit each given validator would sign
   * for it, signed and checked. Only with real signatures and a pool; only the newest height is kept.
   */
  speculate(
    voters: readonly { id: number; secretKey: Uint8Array; publicKey: Uint8Array; address: Uint8Array }[],
    height: bigint,
    round: number,
    blockHash: Uint8Array,
  ): void {
    if (!this.pool || this.signer.kind !== "real") return;
    if (height !== this.speculativeHeight) {
      if (height < this.speculativeHeight) return;
      this.speculative.clear();
      this.speculativeHeight = height;
    }
    const value = toHex(blockHash);
    for (const m of voters) {
      for (const type of ["prevote", "precommit"] as const) {
        const key = `${m.id}/${height}/${round}/${type}/${value}`;
        if (this.speculative.has(key)) continue;
        const message = voteSignBytes(this.chainId, { type, height, round, blockHash, validator: m.address });
        this.speculative.set(key, { id: this.pool.submitSign(m.secretKey, m.publicKey, message), message });
      }
    }
  }

  /** The signature made in advance for exactly this vote's sign bytes, if any (else the caller signs). */
  takeSpeculative(node: number, publicKey: Uint8Array, vote: SignedVote["vote"], message: Uint8Array) {
    if (!this.pool) return null;
    const key = `${node}/${vote.height}/${vote.round}/${vote.type}/${vote.blockHash ? toHex(vote.blockHash) : "nil"}`;
    const hit = this.speculative.get(key);
    if (!hit || !bytesEqual(hit.message, message)) return null;
    this.speculative.delete(key);
    const signature = this.pool.signature(hit.id);
    if (signature) this.presigned.set(signature, { id: hit.id, publicKey, message });
    return signature;
  }

  /**
   * Starts the signature check of a message as it is sent, on the pool's threads, so the verdict is ready
   * (or nearly) when a node receives it. Only with real signatures (fake ones are cheap to check).
   */
  prefetch(signed: SignedVote | SignedProposal, publicKey: Uint8Array | undefined): void {
    if (!this.pool || !publicKey || this.signer.kind !== "real") return;
    if (this.sigOk.has(signed) || this.tickets.has(signed)) return;
    const message = this.signBytesOf(signed);
    const pre = this.presigned.get(signed.signature);
    if (pre && bytesEqual(pre.publicKey, publicKey) && bytesEqual(pre.message, message)) {
      this.tickets.set(signed, pre); // checked by the thread that signed it
      return;
    }
    const id = this.pool.submit(publicKey, message, signed.signature);
    this.tickets.set(signed, { id, publicKey, message });
  }

  /** The block's hash (memoised per block object: every node hashes each proposal several times). */
  hashOf(block: Block): Uint8Array {
    return this.blockHash(block).bytes;
  }

  /** `hashOf` as 0x-hex. */
  hashHexOf(block: Block): string {
    return this.blockHash(block).hex;
  }

  /** PERF: blocks are values, never changed once built, so their hash is kept by identity. */
  private readonly hashes = new WeakMap<Block, { bytes: Uint8Array; hex: string }>();

  private blockHash(block: Block): { bytes: Uint8Array; hex: string } {
    let h = this.hashes.get(block);
    if (!h) {
      const bytes = hashBlock(block);
      h = { bytes, hex: toHex(bytes) };
      this.hashes.set(block, h);
    }
    return h;
  }

  get chainId(): string {
    return this.world.genesis.chainId;
  }

  /** Signature check of a vote or proposal against the claimed signer's key (once per message object). */
  checkMessage(o: { signed: SignedVote | SignedProposal }, publicKey: Uint8Array | undefined): boolean {
    const hit = this.sigOk.get(o.signed);
    if (hit !== undefined) return hit;
    let ok = false;
    if (publicKey) {
      this.verifies++;
      const t = this.tickets.get(o.signed);
      const message = t?.message ?? this.signBytesOf(o.signed);
      const signature = o.signed.signature;
      ok =
        t && this.pool && bytesEqual(t.publicKey, publicKey)
          ? this.pool.verdict(t.id, () => [publicKey, message, signature])
          : this.signer.check(publicKey, message, signature);
      if (ok && this.signer.kind === "real") this.verified.add(publicKey, message, signature);
    }
    this.sigOk.set(o.signed, ok);
    return ok;
  }

  signBytesOf(s: SignedVote | SignedProposal): Uint8Array {
    return "vote" in s
      ? voteSignBytes(this.chainId, s.vote)
      : signBytes("proposal", this.chainId, encode(ProposalCodec, s.proposal));
  }

  /**
   * Re-executes `block` on `state` (the paper's valid(v), DESIGN.md §3), once per (parent, block). With the
   * fake signer the chain cannot check fake commit signatures, so a block is valid only as its builder
   * executed it (registered by `build`).
   */
  execute(state: State, block: Block): AppliedBlock | string {
    const key = `${toHex(state.lastBlockHash)}/${this.hashHexOf(block)}`;
    const hit = this.applied.get(key);
    if (hit !== undefined) return hit;
    let r: AppliedBlock | string;
    if (this.signer.kind === "fake") r = "BLOCK_UNCHECKED_FAKE_SIGNER";
    else {
      this.applies++;
      try {
        r = applyBlock(state, block, { verifiedTxs: this.verifiedTxs, verifiedSignatures: this.verified });
      } catch (err) {
        r = (err as { code?: string }).code ?? "BLOCK_INVALID";
      }
    }
    this.remember(key, r);
    return r;
  }

  private remember(key: string, r: AppliedBlock | string): void {
    this.applied.set(key, r);
    this.appliedAt.push(key);
    // Blocks of long-past heights are never asked for again; keep the memo bounded.
    // PERF: each result holds a whole chain state; 4096 of them made a 1000-height run at 100 validators
    // hold gigabytes (and spend its time in GC). Nodes more than a few heights behind sync whole blocks.
    if (this.appliedAt.length > 256) for (const k of this.appliedAt.splice(0, 128)) this.applied.delete(k);
  }

  /** A proposer's block from the mempool and evidence pool (buildBlock drops invalid txs and evidence). */
  build(
    state: State,
    o: {
      txs: readonly Tx[];
      timeMs: number;
      proposer: Uint8Array;
      lastCommit: Commit | null;
      evidence: Evidence[];
    },
  ): BuiltBlock {
    const built = buildBlock(state, {
      txs: o.txs,
      time: BigInt(o.timeMs),
      proposer: o.proposer,
      lastCommit: o.lastCommit,
      evidence: o.evidence,
      verifiedTxs: this.verifiedTxs,
    });
    // With the fake signer, what the builder executed is the only check there is.
    if (this.signer.kind === "fake")
      this.remember(`${toHex(state.lastBlockHash)}/${toHex(built.hash)}`, built);
    return built;
  }

  /** Block sync: the fetched block's commit, checked against the set the node knows (once per commit). */
  commitValid(state: State, block: Block, commit: Commit): boolean {
    const hit = this.commitsOk.get(commit);
    if (hit !== undefined) return hit;
    let ok = this.signer.kind === "fake";
    if (!ok) {
      try {
        verifyCommit(
          commit,
          state.validatorSet,
          this.chainId,
          { height: block.header.height, blockHash: this.hashOf(block) },
          this.verified,
        );
        ok = true;
      } catch {
        ok = false;
      }
    }
    this.commitsOk.set(commit, ok);
    return ok;
  }

  /** Txs checked once at admission (the mempool's signature cache, DESIGN.md §5). */
  readonly verifiedTxs = new Set<Tx>();
}

/**
 * The tx load: transfers between the validators' operator accounts at `rate` per second of virtual time,
 * signed (real or fake signer) and checked once at admission, as a node's mempool does. One shared pool:
 * gossip of txs is not modelled, every proposer sees every admitted tx.
 */
export class TxLoad {
  pool: Tx[] = [];
  private nonces: bigint[];
  private carry = 0;
  admitted = 0;
  committed = 0;

  constructor(
    private readonly world: World,
    private readonly accounts: SimSigner,
    private readonly glue: ChainGlue,
    private readonly rng: Rng,
    private readonly rate: number,
  ) {
    this.nonces = world.keys.map(() => 0n);
  }

  /** Admits the txs of `ms` of virtual time. */
  tick(ms: number): void {
    this.carry += (this.rate * ms) / 1000;
    const n = Math.floor(this.carry);
    this.carry -= n;
    const keys = this.world.keys;
    for (let i = 0; i < n; i++) {
      const a = this.rng.int(keys.length);
      const b = (a + 1 + this.rng.int(keys.length - 1)) % keys.length;
      const from = keys[a] as World["keys"][number];
      const body: UnsignedTx = {
        chainId: this.world.genesis.chainId,
        from: from.accountPublic,
        nonce: this.nonces[a] as bigint,
        fee: this.world.params.minFee,
        payload: { type: "transfer", value: { to: (keys[b] as World["keys"][number]).account, amount: 1n } },
      };
      const bytes = txSignBytes(body);
      const tx: Tx = { body, signature: this.accounts.sign(a, bytes) };
      if (!this.accounts.check(from.accountPublic, bytes, tx.signature)) continue;
      this.nonces[a] = (this.nonces[a] as bigint) + 1n;
      this.glue.verifiedTxs.add(tx);
      this.pool.push(tx);
      this.admitted++;
    }
  }

  /** Drops the txs a committed block carried (or a builder rejected). */
  remove(txs: readonly Tx[]): void {
    if (!txs.length) return;
    const gone = new Set(txs);
    this.pool = this.pool.filter((t) => !gone.has(t));
    for (const t of txs) this.glue.verifiedTxs.delete(t);
  }
}
