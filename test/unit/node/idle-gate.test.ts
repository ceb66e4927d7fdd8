import { describe, expect, it } from "vitest";
import { createIdleGate } from "../../../src/node/idle-gate.js";

/** A manual clock: `later` queues callbacks, `advance` runs the due ones in time order. */
function manualClock() {
  let now = 0;
  const q: { at: number; fn: () => void }[] = [];
  return {
    later: (ms: number, fn: () => void) => q.push({ at: now + ms, fn }),
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        q.sort((a, b) => a.at - b.at);
        const next = q[0];
        if (!next || next.at > end) break;
        q.shift();
        now = next.at;
        next.fn();
      }
      now = end;
    },
  };
}

function setup(intervalMs: number) {
  const clock = manualClock();
  const started: bigint[] = [];
  let work = false;
  const gate = createIdleGate({
    intervalMs,
    commitWaitMs: 50,
    hasWork: () => work,
    later: clock.later,
    start: (h) => started.push(h),
  });
  return { clock, started, gate, setWork: (w: boolean) => (work = w) };
}

describe("idle gate (issue 19 item 6)", () => {
  it("off (0): every height starts after the commit wait", () => {
    const { clock, started, gate } = setup(0);
    gate.afterCommit(2n, false);
    clock.advance(49);
    expect(started).toEqual([]);
    clock.advance(1);
    expect(started).toEqual([2n]);
  });

  it("idle: an empty block with nothing waiting holds the next height for the interval", () => {
    const { clock, started, gate } = setup(1000);
    gate.afterCommit(2n, false);
    clock.advance(999);
    expect(started).toEqual([]);
    expect(gate.idle).toBe(true);
    clock.advance(1);
    expect(started).toEqual([2n]);
    expect(gate.idle).toBe(false);
  });

  it("work arriving while idle starts the height at once, and only once", () => {
    const { clock, started, gate, setWork } = setup(1000);
    gate.afterCommit(2n, false);
    clock.advance(300);
    gate.poke();
    expect(started).toEqual([]);
    setWork(true);
    gate.poke();
    gate.poke();
    expect(started).toEqual([2n]);
    clock.advance(5000);
    expect(started).toEqual([2n]);
  });

  it("a block with txs, or work already waiting, never idles the next height", () => {
    const a = setup(1000);
    a.gate.afterCommit(2n, true);
    a.clock.advance(50);
    expect(a.started).toEqual([2n]);
    const b = setup(1000);
    b.setWork(true);
    b.gate.afterCommit(2n, false);
    b.clock.advance(50);
    expect(b.started).toEqual([2n]);
  });
});
