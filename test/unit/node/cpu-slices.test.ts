import { describe, expect, it } from "vitest";
import { createCpuSlices } from "../../../src/node/api/cpu-slices.js";

/** Busy-waits `ms` of (fake) CPU work on a clock the runner also reads. */
function busyClock() {
  const clock = { t: 0 };
  return { clock, now: () => clock.t, work: (ms: number) => (clock.t += ms) };
}

describe("CPU slices", () => {
  it("runs every item in order and resolves with the results", async () => {
    const cpu = createCpuSlices({ sliceMs: 5 });
    expect(await cpu.run([1, 2, 3, 4], (x) => x * 10)).toEqual([10, 20, 30, 40]);
    expect(await cpu.run([], (x) => x)).toEqual([]);
    expect(cpu.pending).toBe(0);
  });

  it("yields to the event loop between slices, however many jobs are queued", async () => {
    const { now, work } = busyClock();
    const cpu = createCpuSlices({ sliceMs: 10, now });
    // Three jobs of 200 items, 1 ms each: 600 ms of work, in slices of ~10 ms (plus one quantum).
    let maxBetweenTicks = 0;
    let lastTick = 0;
    let ticks = 0;
    const item = () => {
      work(1);
      maxBetweenTicks = Math.max(maxBetweenTicks, now() - lastTick);
      return true;
    };
    // Another event-loop client: a callback that asks for a turn again each time it gets one.
    let running = true;
    const other = () => {
      ticks++;
      lastTick = now();
      if (running) setImmediate(other);
    };
    setImmediate(other);
    const items = Array(200).fill(0);
    const all = Promise.all([cpu.run(items, item), cpu.run(items, item), cpu.run(items, item)]);
    expect(cpu.pending).toBe(600);
    await all;
    running = false;
    // The other callback ran all along, and never more than a slice (+ one quantum) of work went between two
    // of its turns.
    expect(ticks).toBeGreaterThan(10);
    expect(maxBetweenTicks).toBeLessThanOrEqual(10 + 16);
  });

  it("shares slices between jobs: a small batch is not stuck behind a huge one", async () => {
    const { now, work } = busyClock();
    const cpu = createCpuSlices({ sliceMs: 10, now });
    const done: string[] = [];
    const big = cpu.run(Array(1000).fill(0), () => work(1)).then(() => done.push("big"));
    const small = cpu.run(Array(20).fill(0), () => work(1)).then(() => done.push("small"));
    await Promise.all([big, small]);
    expect(done).toEqual(["small", "big"]);
  });

  it("drops the rest of a job whose signal aborted", async () => {
    const cpu = createCpuSlices({ sliceMs: 1 });
    const abort = new AbortController();
    let calls = 0;
    const job = cpu.run(
      Array(100_000).fill(0),
      () => {
        calls++;
        if (calls === 100) abort.abort(new Error("client went away"));
      },
      abort.signal,
    );
    await expect(job).rejects.toThrow("client went away");
    expect(calls).toBeLessThan(100_000);
    expect(cpu.pending).toBe(0);
  });
});
