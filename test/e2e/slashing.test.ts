import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import type { NodeEventJson, ValidatorInfoJson } from "../../src/core/api/contract.js";
import { voteSignBytes } from "../../src/core/chain/commit.js";
import { type Evidence, voteEvidence } from "../../src/core/chain/vote.js";
import { encode, fromHex } from "../../src/core/codec/index.js";
import { addressBytes, sha256, sign } from "../../src/core/crypto/index.js";
import { readKeyFile } from "../../src/node/home.js";
import { EvidenceMsgCodec, MSG } from "../../src/node/messages.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { killAllDevnets } from "../helpers/devnet.js";
import { connectRawPeer, type RawPeer, until } from "../helpers/raw-peer.js";

/**
 * Issue 15 end to end, real processes: a 5-validator devnet with a short downtime window (manifest params).
 * (a) node4 made byzantine → evidence committed once, slashed by the fraction, tombstoned, out of the set,
 * the chain finalizes and every node agrees; (b) node3 stopped past the window → jailed and slashed, started,
 * `tx unjail` after the jail period → active again; (c) evidence about a validator that has since unbonded
 * validates against the set of its height and never stalls proposals; forged evidence from a raw peer bans it.
 */
const PARAMS = {
  signedBlocksWindow: 50,
  minSignedPerWindow: 2000, // jailed past 40 missed of 50: far more than a restart costs
  downtimeJailDuration: 40,
  slashFractionDoubleSign: 500,
  slashFractionDowntime: 100,
};

interface UpNode {
  name: string;
  apiUrl: string;
  p2pUrl: string;
  home: string;
}

describe("slashing with a real byzantine node (5 validators, processes)", () => {
  let home: string;
  let cleanup: () => void;
  let up: { chainId: string; nodes: UpNode[] };
  let genesisHash: Uint8Array;
  const events: NodeEventJson[] = [];
  let sub: { close(): void } | undefined;
  const peers: RawPeer[] = [];
  const api = (i = 0) => createClient({ url: (up.nodes[i] as UpNode).apiUrl, timeoutMs: 5000 });
  const height = async (i = 0) => BigInt((await api(i).status()).height);
  const validator = async (name: string, i = 0): Promise<ValidatorInfoJson> =>
    (await api(i).validators()).validators.find((v) => v.name === name) as ValidatorInfoJson;
  const cli = (args: string[], timeout = 120_000) => runCli(args, { home, timeout });
  const nodeKey = (name: string) => readKeyFile(join(home, "devnets", "slash", name, "validator-key.json"));

  /** Each node in `nodes` commits `blocks` more blocks. */
  async function finalizes(blocks: bigint, nodes = up.nodes.map((_, i) => i)) {
    for (const i of nodes) {
      const h0 = await height(i);
      await until(async () => (await height(i)) >= h0 + blocks, 90_000, `${up.nodes[i]?.name} finalizes`);
    }
  }

  /** Sum of evidence items in blocks 1..to, read from node `i`. */
  async function evidenceInBlocks(to: bigint, i = 0): Promise<number> {
    let n = 0;
    for (let h = 1n; h <= to; h++) n += (await api(i).block(h)).evidence;
    return n;
  }

  /** The running nodes agree on the block (so the state root, balances included) at a common height. */
  async function agree(nodes: number[]) {
    const hs = await Promise.all(nodes.map((i) => height(i)));
    let h = hs[0] as bigint;
    for (const x of hs) if (x < h) h = x;
    const blocks = await Promise.all(nodes.map((i) => api(i).block(h)));
    expect(new Set(blocks.map((b) => b.hash)).size).toBe(1);
    expect(new Set(blocks.map((b) => b.header.stateRoot)).size).toBe(1);
  }

  const doubleVote = (name: string, h: bigint): Evidence => {
    const key = nodeKey(name);
    const vote = (tag: number) => ({
      type: "prevote" as const,
      height: h,
      round: 0,
      blockHash: sha256(new Uint8Array([tag, 42])),
      validator: addressBytes(key.publicKey),
    });
    const signed = (tag: number) => ({
      vote: vote(tag),
      signature: sign(key.secretKey, voteSignBytes(up.chainId, vote(tag))),
    });
    return voteEvidence({ a: signed(1), b: signed(2) });
  };
  const raw = async (i: number) => {
    const p = await connectRawPeer((up.nodes[i] as UpNode).p2pUrl, { chainId: up.chainId, genesisHash });
    peers.push(p);
    return p;
  };
  const sendEvidence = (p: RawPeer, items: Evidence[]) =>
    p.send(MSG.evidence, encode(EvidenceMsgCodec, { items }));

  beforeAll(async () => {
    ({ dir: home, cleanup } = tempDir());
    const manifest = join(home, "slash.yaml");
    const params = Object.entries(PARAMS).map(([k, v]) => `  ${k}: ${v}`);
    // blockTime 0: a block every commit wait, so the windows pass in seconds (no idle mode).
    writeFileSync(
      manifest,
      ["name: slash", "validators: 5", "blockTime: 0", "params:", ...params, ""].join("\n"),
    );
    const r = await cli(["devnet", "up", "-f", manifest, "--json"], 120_000);
    expect(r.code, r.stderr).toBe(0);
    up = r.json();
    genesisHash = fromHex((await api().status()).genesisHash, 32);
    sub = api(0).events({ onEvent: (e) => events.push(e) });
    await finalizes(3n);
  }, 180_000);

  afterAll(async () => {
    sub?.close();
    for (const p of peers) p.close();
    await killAllDevnets(home);
    cleanup();
  }, 60_000);

  it("bans a raw peer that gossips forged evidence; the chain carries on", async () => {
    const good = doubleVote("node1", (await height()) - 1n);
    if (good.type !== "duplicateVote") throw new Error("unreachable");
    const forged = voteEvidence({
      a: good.value.a,
      b: { ...good.value.b, signature: good.value.a.signature },
    });
    const p = await raw(0);
    sendEvidence(p, [forged]);
    await until(() => !p.isOpen(), 30_000, "the forger is banned");
    expect((await api().evidence()).pending).toEqual([]);
    await finalizes(3n);
  }, 120_000);

  it("(a) node4 made byzantine: evidence committed once, slashed by the fraction, tombstoned, out of the set", async () => {
    const before = await validator("node4");
    expect(before).toMatchObject({ status: "active", tombstoned: false, slashed: "0" });
    // Given node4 restarted to sign a second prevote for each one it signs.
    const b = await cli(["devnet", "byzantine", "node4", "--equivocate", "prevote", "--unsafe", "--json"]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.json()).toMatchObject({ node: "node4", equivocate: "prevote", result: "restarted" });
    // Then the network commits evidence and tombstones it.
    await until(async () => (await validator("node4")).tombstoned, 90_000, "node4 tombstoned");
    const after = await validator("node4");
    const addr = after.address;
    const slashes = events.filter((e) => e.type === "slash" && e.validator === addr);
    const doubleSign = slashes.find((e) => e.type === "slash" && e.reason === "double-sign");
    const downtime = slashes
      .filter((e) => e.type === "slash" && e.reason === "downtime")
      .reduce((s, e) => s + BigInt(e.type === "slash" ? e.amount : "0"), 0n);
    const stakeAtInfraction = BigInt(before.stake) - downtime;
    expect(doubleSign && doubleSign.type === "slash" && BigInt(doubleSign.amount)).toBe(
      (stakeAtInfraction * BigInt(PARAMS.slashFractionDoubleSign)) / 10_000n,
    );
    expect(BigInt(after.slashed)).toBe(BigInt(before.stake) - BigInt(after.stake));
    expect(after).toMatchObject({ status: "jailed", jailed: true, power: "0" });
    const s = await cli(["query", "slashing", "node4", "--json"]);
    expect(s.json()).toMatchObject({ tombstoned: true, jailReason: "double-sign", jailedUntil: null });
    // Out of the set the engine runs on, and the others keep finalizing.
    expect((await api().consensus()).validators.map((v) => v.address)).not.toContain(addr);
    await finalizes(5n, [0, 1, 2, 3]);
    // Exactly one evidence item was ever committed, about node4 (its later double votes are tombstoned).
    const h = await height();
    expect(await evidenceInBlocks(h)).toBe(1);
    const committed = events.filter((e) => e.type === "evidence" && e.status === "committed");
    expect(committed).toHaveLength(1);
    expect(committed[0]).toMatchObject({ validator: addr, kind: "prevote" });
    expect(events.some((e) => e.type === "jail" && e.validator === addr && e.tombstoned)).toBe(true);
    // Every node (node4 too) agrees on the state and the balances.
    await agree([0, 1, 2, 3, 4]);
    const balances = async (i: number) =>
      Promise.all(
        ["alice", "bob", "node4"].map(
          async (k) =>
            (await cli(["query", "account", k, "--node", (up.nodes[i] as UpNode).apiUrl, "--json"])).json()
              .balance,
        ),
      );
    const all = await Promise.all(up.nodes.map((_, i) => balances(i)));
    for (const b2 of all) expect(b2).toEqual(all[0]);
    // The metric counts it.
    const metrics = await (await fetch(`${up.nodes[0]?.apiUrl}/metrics`)).text();
    expect(metrics).toMatch(/fastpos_evidence_committed_total\{kind="prevote"\} 1/);
    expect(metrics).toMatch(/fastpos_validators_jailed 1/);
  }, 240_000);

  it("(b) node3 stopped past the downtime window is jailed and slashed; after the jail period it unjails", async () => {
    const before = await validator("node3");
    expect((await cli(["devnet", "stop", "node3", "--json"])).code).toBe(0);
    await until(async () => (await validator("node3")).jailed, 180_000, "node3 jailed for downtime");
    const jailed = await validator("node3");
    expect(BigInt(jailed.slashed)).toBe(
      (BigInt(before.stake) * BigInt(PARAMS.slashFractionDowntime)) / 10_000n,
    );
    const s = (await cli(["query", "slashing", "node3", "--json"])).json();
    expect(s).toMatchObject({ jailed: true, tombstoned: false, jailReason: "downtime" });
    // Unjail is refused before the jail period is over (while the node is still down)...
    const early = await cli(["tx", "unjail", "--from", "node3", "--wait", "--json"]);
    if (early.code === 0) expect(BigInt(early.json().height)).toBeGreaterThanOrEqual(BigInt(s.jailedUntil));
    else expect(early.json().error.code).toBe("TX_JAILED_UNTIL");
    // ...and accepted after it, once the node runs again.
    expect((await cli(["devnet", "start", "node3", "--json"])).code).toBe(0);
    if (early.code !== 0) {
      await until(async () => (await height()) >= BigInt(s.jailedUntil), 180_000, "the jail period ends");
      const u = await cli(["tx", "unjail", "--from", "node3", "--wait", "--json"]);
      if (u.code !== 0) throw new Error(`unjail failed: ${u.stdout} ${u.stderr}`);
    }
    await until(async () => (await validator("node3")).status === "active", 90_000, "node3 active again");
    expect(await validator("node3")).toMatchObject({ jailed: false, power: jailed.stake });
    expect(events.some((e) => e.type === "unjail" && e.validator === jailed.address)).toBe(true);
    await finalizes(5n, [0, 1, 2, 3]);
  }, 300_000);

  it("(c) evidence about a validator that has since unbonded validates and never stalls proposals", async () => {
    // Given node2 unbonded all its stake and left the set (its node stopped).
    const r = await cli(["devnet", "remove-validator", "node2", "--json"], 180_000);
    expect(r.code, r.stderr).toBe(0);
    const left = BigInt(r.json().leftSetAtHeight);
    const node2 = await validator("node2");
    // A double vote from after it left names no validator of that height: forged, and its sender banned.
    const liar = await raw(0);
    sendEvidence(liar, [doubleVote("node2", await height())]);
    await until(() => !liar.isOpen(), 30_000, "the liar is banned");
    expect((await validator("node2")).tombstoned).toBe(false);
    // When a peer gossips its double vote from the last height it was in the set...
    const p = await raw(0);
    sendEvidence(p, [doubleVote("node2", left - 1n), doubleVote("node4", left - 1n)]);
    // Then it is committed (checked against the set of that height) and node2 tombstoned; node4's (tombstoned
    // already) is dropped, and the peer is not banned for either.
    await until(async () => (await validator("node2")).tombstoned, 60_000, "node2 tombstoned");
    expect(p.isOpen()).toBe(true);
    const ev = (await api().evidence()).committed.filter((c) => c.validator === node2.address);
    expect(ev).toEqual([expect.objectContaining({ kind: "prevote", height: String(left - 1n) })]);
    // Proposals never stall: every running node keeps committing, with nothing left pending.
    await finalizes(5n, [0, 1, 3]);
    expect((await api().evidence()).pending).toEqual([]);
    await agree([0, 1, 3, 4]);
  }, 300_000);
});
