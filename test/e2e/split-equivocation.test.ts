import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient } from "../../src/client/client.js";
import type { ValidatorInfoJson } from "../../src/core/api/contract.js";
import { runCli } from "../helpers/cli.js";
import { upTestDevnet } from "../helpers/devnet.js";
import { until } from "../helpers/raw-peer.js";

/**
 * Targeted equivocation (src/node/have-votes.ts), real processes: node4 of 5 sends one prevote to two of its
 * peers and a conflicting one to the other two, re-sends included, so no peer gets both from it. Votes are
 * not relayed between peers that hear node4 first-hand (relay-links.ts); the nodes' `haveVotes`
 * announcements must bring the two together, so node4 is still caught, slashed and tombstoned. Then node3
 * does the same with its proposals.
 */
describe("targeted equivocation is caught without relays (5 validators, processes)", () => {
  let home: string;
  let nodes: { name: string; apiUrl: string }[];
  let down: () => Promise<void>;
  const api = (i = 0) => createClient({ url: (nodes[i] as { apiUrl: string }).apiUrl, timeoutMs: 5000 });
  const validator = async (name: string, i = 0) =>
    (await api(i).validators()).validators.find((v) => v.name === name) as ValidatorInfoJson;

  beforeAll(async () => {
    ({ home, nodes, down } = await upTestDevnet(5, "split"));
  }, 120_000);

  afterAll(() => down(), 60_000);

  it("node4 splitting its prevotes between its peers is slashed and tombstoned; the chain goes on", async () => {
    expect(await validator("node4")).toMatchObject({ tombstoned: false, slashed: "0" });
    const b = await runCli(
      ["devnet", "byzantine", "node4", "--equivocate", "prevote", "--split", "--unsafe", "--json"],
      { home, timeout: 120_000 },
    );
    expect(b.code, b.stderr + b.stdout).toBe(0);
    expect(b.json()).toMatchObject({ node: "node4", equivocate: "prevote", split: true });
    await until(async () => (await validator("node4")).tombstoned, 90_000, "node4 tombstoned");
    const after = await validator("node4");
    expect(BigInt(after.slashed)).toBeGreaterThan(0n);
    // The four honest validators keep finalizing.
    const h0 = BigInt((await api(0).status()).height);
    for (const i of [0, 1, 2, 3])
      await until(
        async () => BigInt((await api(i).status()).height) >= h0 + 3n,
        60_000,
        `node${i} finalizes`,
      );
  }, 240_000);

  it("node3 splitting its proposals between its peers is slashed and tombstoned too", async () => {
    const b = await runCli(
      ["devnet", "byzantine", "node3", "--equivocate", "proposal", "--split", "--unsafe", "--json"],
      { home, timeout: 120_000 },
    );
    expect(b.code, b.stderr + b.stdout).toBe(0);
    // node3 proposes about one height in four of the remaining set: give it time to be the proposer.
    await until(async () => (await validator("node3")).tombstoned, 120_000, "node3 tombstoned");
    const h0 = BigInt((await api(0).status()).height);
    for (const i of [0, 1, 2])
      await until(
        async () => BigInt((await api(i).status()).height) >= h0 + 3n,
        60_000,
        `node${i} finalizes`,
      );
  }, 240_000);
});
