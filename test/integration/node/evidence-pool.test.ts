import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EvidenceCodec, voteEvidence } from "../../../src/core/chain/index.js";
import { encode } from "../../../src/core/codec/index.js";
import { EVIDENCE_POOL_META, MAX_PENDING, openEvidencePool } from "../../../src/node/evidence-pool.js";
import { openStore, type Store } from "../../../src/node/store.js";
import { tempDir } from "../../helpers/cli.js";
import {
  ChainDriver,
  doublePropose,
  doubleSign,
  doubleSignVotes,
  SLASHING_TEST_PARAMS as P,
  slashingChain,
} from "../../helpers/slashing.js";

const chain = slashingChain(5);
const id = chain.state.chainId;
const [v0, v1, , v3, v4] = chain.consensus as [
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
  (typeof chain.consensus)[0],
];

/** Issue 15: the node's evidence pool on a real LevelDB in a temp dir, against states of a real chain. */
describe("evidence pool", () => {
  let dir: string;
  let cleanup: () => void;
  let store: Store;
  beforeEach(async () => {
    ({ dir, cleanup } = tempDir());
    store = await openStore(join(dir, "db"));
  });
  afterEach(async () => {
    await store.close();
    cleanup();
  });

  it("keeps each infraction once, whichever way round its two messages come", async () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const pool = await openEvidencePool(store, d.state);
    const raw = doubleSignVotes(id, v1, 2n);
    expect(pool.add(voteEvidence(raw), d.state)).toEqual({ kind: "added" });
    expect(pool.add(voteEvidence({ a: raw.b, b: raw.a }), d.state)).toEqual({ kind: "known" });
    expect(pool.add(doublePropose(id, v1, 2n), d.state)).toEqual({ kind: "added" }); // another infraction
    expect(pool.size).toBe(2);
  });

  it("refuses invalid items with the chain's EvidenceError codes and keeps nothing of them", async () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const pool = await openEvidencePool(store, d.state);
    const e = doubleSignVotes(id, v1, 2n);
    const forged = voteEvidence({ a: e.a, b: { ...e.b, signature: e.a.signature } });
    const codeOf = (r: ReturnType<typeof pool.add>) => (r.kind === "invalid" ? r.error.code : r.kind);
    expect(codeOf(pool.add(forged, d.state))).toBe("EVIDENCE_BAD_SIGNATURE");
    expect(codeOf(pool.add(voteEvidence({ a: e.a, b: e.a }), d.state))).toBe("EVIDENCE_NOT_CONFLICTING");
    expect(codeOf(pool.add(doubleSign("other", v1, 2n), d.state))).toBe("EVIDENCE_BAD_SIGNATURE");
    expect(codeOf(pool.add(doubleSign(id, v1, 6n), d.state))).toBe("EVIDENCE_FUTURE"); // 2 heights ahead
    expect(pool.size).toBe(0);
  });

  it("keeps evidence of the height being decided (fully checked) and offers it once that height commits", async () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const pool = await openEvidencePool(store, d.state);
    const e = doubleSign(id, v1, 4n);
    expect(pool.add(e, d.state)).toEqual({ kind: "added" });
    expect(pool.forBlock(d.state)).toEqual([]); // block 4 cannot carry evidence of height 4
    d.step();
    expect(pool.forBlock(d.state)).toEqual([e]);
  });

  it("is bounded: past MAX_PENDING items new ones are refused", async () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const pool = await openEvidencePool(store, d.state);
    for (let round = 0; round < MAX_PENDING; round++)
      expect(pool.add(doubleSign(id, v1, 2n, { round }), d.state).kind).toBe("added");
    expect(pool.add(doubleSign(id, v0, 2n), d.state)).toEqual({ kind: "full" });
    expect(pool.size).toBe(MAX_PENDING);
  }, 60_000);

  it("offers a block at most params.maxBlockEvidence items and maxBlockEvidenceBytes bytes", async () => {
    const small = slashingChain(5, { ...P, maxBlockEvidence: 2 });
    const d = new ChainDriver(small);
    d.run(3);
    const pool = await openEvidencePool(store, d.state);
    const items = [0, 1, 2].map((i) => doubleSign(id, small.consensus[i]!, 2n));
    for (const e of items) pool.add(e, d.state);
    expect(pool.forBlock(d.state)).toEqual(items.slice(0, 2));
    const one = encode(EvidenceCodec, items[0]!).length;
    const tight = {
      ...d.state,
      params: { ...d.state.params, maxBlockEvidence: 16, maxBlockEvidenceBytes: one },
    };
    expect(pool.forBlock(tight)).toEqual(items.slice(0, 1));
  });

  it("drops committed, tombstoned and expired items after each block, so nothing stale is ever proposed", async () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const pool = await openEvidencePool(store, d.state);
    const committed = doubleSign(id, v1, 2n);
    const sameValidatorLater = doubleSign(id, v1, 3n);
    const expiring = doubleSign(id, v3, 2n, { type: "precommit" });
    for (const e of [committed, sameValidatorLater, expiring]) pool.add(e, d.state);
    // Given a block carries the first: its validator is tombstoned, so the second can never be carried.
    const s = d.step({ evidence: [committed] });
    pool.onCommitted(s.built.block.evidence, d.state);
    expect(pool.list()).toEqual([expiring]);
    // The third waits (a proposer could carry it) until it is too old, then goes.
    d.run(Number(P.evidenceMaxAgeBlocks) - 3); // state height 21: block 22 may still carry height 2
    pool.onCommitted([], d.state);
    expect(pool.list()).toEqual([expiring]);
    d.run(1);
    pool.onCommitted([], d.state);
    expect(pool.list()).toEqual([]);
    expect(pool.forBlock(d.state)).toEqual([]);
  });

  it("evidence about a validator that has since unbonded still goes in a block (set history), then leaves the pool", async () => {
    // Given v4 unbonds everything in block 1 and leaves the set at height 11.
    const d = new ChainDriver(chain);
    d.step({ txs: [d.tx(4, { type: "unbond", value: { validator: v4.address, amount: 1_000_000n } })] });
    d.run(9);
    expect(d.inSet(4)).toBe(false);
    const pool = await openEvidencePool(store, d.state);
    const e = doubleSign(id, v4, 9n);
    expect(pool.add(e, d.state)).toEqual({ kind: "added" });
    // Then a block built from the pool is valid for every validator (ChainDriver re-applies it).
    const s = d.step({ evidence: pool.forBlock(d.state) });
    expect(s.built.block.evidence).toEqual([e]);
    pool.onCommitted(s.built.block.evidence, d.state);
    expect(pool.size).toBe(0);
  });

  it("survives a restart: the items are read back from LevelDB and re-checked against the state", async () => {
    const d = new ChainDriver(chain);
    d.run(3);
    const pool = await openEvidencePool(store, d.state);
    const a = doubleSign(id, v1, 2n);
    const b = doublePropose(id, v3, 3n, 1);
    pool.add(a, d.state);
    pool.add(b, d.state);
    await pool.flush();
    await store.close();
    store = await openStore(join(dir, "db"));
    expect(await store.getMeta(EVIDENCE_POOL_META)).toBeDefined();
    const reopened = await openEvidencePool(store, d.state);
    expect(reopened.list()).toEqual([a, b]);
    // Re-checked on load: against a state where v1's evidence was committed, only v3's is kept.
    const s = d.step({ evidence: [a] });
    expect(s.applied.penalties).toHaveLength(1);
    await store.close();
    store = await openStore(join(dir, "db"));
    expect((await openEvidencePool(store, d.state)).list()).toEqual([b]);
  });

  it("an unreadable stored pool is reported and dropped, not fatal", async () => {
    const d = new ChainDriver(chain);
    await store.putMeta(EVIDENCE_POOL_META, new Uint8Array([1, 2, 3]));
    const errors: unknown[] = [];
    const pool = await openEvidencePool(store, d.state, (err) => errors.push(err));
    expect(pool.size).toBe(0);
    expect(errors).toHaveLength(1);
  });
});
