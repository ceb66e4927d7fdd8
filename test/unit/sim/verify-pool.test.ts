import { afterAll, describe, expect, it } from "vitest";
import { getPublicKey, sign } from "../../../src/core/crypto/index.js";
import { VerifyPool } from "../../../src/sim/verify-pool.js";

// Real worker threads: the simulator's pool, whose answers must equal THE verify's whoever computes them.
const pool = new VerifyPool(1);
afterAll(() => pool.close());

const sk = new Uint8Array(32).fill(5);
const pk = getPublicKey(sk);
const msg = (i: number) => new TextEncoder().encode(`vote ${i}`);
/** Fewer jobs than this are not posted yet; this many are posted at once (verify-pool.ts BATCH). */
const BATCH = 16;
/** Tickets the first test took back. */
let taken: number[] = [];

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("sim verify pool", () => {
  it("a job no thread has started is taken back and answered in line, with THE verify's verdict", () => {
    const good = sign(sk, msg(1));
    const bad = sign(sk, msg(2));
    const a = pool.submit(pk, msg(1), good);
    const b = pool.submit(pk, msg(1), bad);
    const s = pool.submitSign(sk, pk, msg(3));
    const stolen = pool.stolen;
    expect(pool.verdict(a, () => [pk, msg(1), good])).toBe(true);
    expect(pool.verdict(b, () => [pk, msg(1), bad])).toBe(false);
    expect(pool.signature(s)).toBeNull(); // taken back: the caller signs in line
    expect(pool.stolen).toBe(stolen + 3);
    expect(pool.broken).toBe(false);
    taken = [a, b, s];
  });

  it("posted jobs are answered by the thread, which skips the ones taken back", async () => {
    const ids = Array.from({ length: BATCH }, (_, i) => pool.submitSign(sk, pk, msg(100 + i)));
    pool.flush(); // the first test's taken-back jobs go too: the thread must skip them
    await until(() => ids.every((id) => pool.answered(id)));
    for (const id of taken) expect(pool.answered(id)).toBe(false); // skipped, not computed twice
    const stolen = pool.stolen;
    ids.forEach((id, i) => {
      expect(pool.signature(id)).toEqual(sign(sk, msg(100 + i)));
      expect(pool.verdict(id, () => [pk, msg(100 + i), sign(sk, msg(100 + i))])).toBe(true);
    });
    expect(pool.stolen).toBe(stolen);
    expect(pool.broken).toBe(false);
  });
});
