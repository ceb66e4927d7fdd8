import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  faultFile,
  loadPersistedFaults,
  parseFaultRequest,
  savePersistedFaults,
} from "../../../src/node/fault-file.js";
import { createDelayLine, createRandom, frameFate } from "../../../src/node/p2p/fault.js";

const waitFor = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe("p2p faults: frame fate", () => {
  it("drops by flag and type, and delays by delayMs plus a jitter within [0, jitterMs]", () => {
    const rnd = createRandom(new Uint8Array(16).fill(7));
    expect(frameFate(undefined, 16, rnd)).toBe(0);
    expect(frameFate({ drop: true }, 16, rnd)).toBeNull();
    expect(frameFate({ dropTypes: [20] }, 20, rnd)).toBeNull();
    expect(frameFate({ dropTypes: [20] }, 16, rnd)).toBe(0);
    const delays = Array.from(
      { length: 2000 },
      () => frameFate({ delayMs: 100, jitterMs: 50 }, 16, rnd) as number,
    );
    expect(Math.min(...delays)).toBe(100);
    expect(Math.max(...delays)).toBe(150);
  });

  it("loses about `loss` of the frames, reproducibly for one seed", () => {
    const run = () => {
      const rnd = createRandom(new Uint8Array(16).fill(1));
      return Array.from({ length: 20_000 }, () => frameFate({ loss: 0.1 }, 16, rnd));
    };
    const lost = run().filter((x) => x === null).length;
    expect(lost).toBeGreaterThan(1_700);
    expect(lost).toBeLessThan(2_300);
    expect(run()).toEqual(run());
  });

  it("a delay line delivers in queue order even when jitter makes a later frame due earlier", async () => {
    const line = createDelayLine();
    const got: number[] = [];
    line.push(0, () => got.push(0)); // nothing queued: delivered at once
    expect(got).toEqual([0]);
    line.push(60, () => got.push(1));
    line.push(5, () => got.push(2)); // due earlier, waits for 1
    line.push(0, () => got.push(3)); // queued behind: not delivered at once
    expect(got).toEqual([0]);
    await waitFor(() => got.length === 4);
    expect(got).toEqual([0, 1, 2, 3]);
  });
});

describe("fault requests and persisted faults", () => {
  let home = "";
  afterEach(() => home && rmSync(home, { recursive: true, force: true }));
  const peer = "ab".repeat(20);

  it("parses the API body, naming the bad field", () => {
    expect(parseFaultRequest({ peer, delayMs: 200, jitterMs: 50, loss: 0.05, persist: true })).toEqual({
      peer,
      fault: { drop: false, delayMs: 200, jitterMs: 50, loss: 0.05, persist: true },
    });
    expect(parseFaultRequest({ peer: "*", dropTxGossip: true }).fault.dropTypes?.length).toBeGreaterThan(0);
    for (const [body, field] of [
      [{ peer: "node1" }, "peer"],
      [{ peer, loss: 1.5 }, "loss"],
      [{ peer, delayMs: -1 }, "delayMs"],
      [{ peer, jitterMs: 1.5 }, "jitterMs"],
      [{ peer, drop: "yes" }, "drop"],
      [{ peer, nope: 1 }, "nope"],
      [[], "(body)"],
    ] as const) {
      expect(() => parseFaultRequest(body), JSON.stringify(body)).toThrow(
        expect.objectContaining({ code: "BAD_FAULT", data: expect.objectContaining({ field }) }),
      );
    }
  });

  it("keeps only faults marked persist, reads them back, and removes the file when none is left", () => {
    home = mkdtempSync(join(tmpdir(), "fastpos-faults-"));
    savePersistedFaults(home, { [peer]: { drop: true, persist: true }, "*": { delayMs: 5 } });
    expect(JSON.parse(readFileSync(faultFile(home), "utf8"))).toEqual({
      [peer]: { drop: true, persist: true },
    });
    expect(loadPersistedFaults(home, () => {})).toEqual({
      [peer]: { drop: true, delayMs: 0, persist: true },
    });
    savePersistedFaults(home, { "*": { delayMs: 5 } });
    expect(existsSync(faultFile(home))).toBe(false);
    writeFileSync(faultFile(home), "{ not json");
    const corrupt: string[] = [];
    expect(loadPersistedFaults(home, (r) => corrupt.push(r))).toEqual({});
    expect(corrupt).toHaveLength(1);
  });
});
