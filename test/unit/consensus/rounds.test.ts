import { describe, expect, it } from "vitest";
import { emptyVoteSet, type RoundState, Rounds } from "../../../src/core/consensus/index.js";

const rs = (n: number): RoundState => ({ prevotes: emptyVoteSet(n), precommits: emptyVoteSet(n) });

describe("Rounds", () => {
  it("reads like the Map it replaces: insertion order, get/has/size, iteration", () => {
    const a = rs(1);
    const b = rs(2);
    const c = rs(3);
    const map = new Map<number, RoundState>([
      [2, a],
      [0, b],
      [7, c],
    ]);
    const r = Rounds.from(map);
    expect(r.size).toBe(3);
    expect(r.get(0)).toBe(b);
    expect(r.get(1)).toBeUndefined();
    expect(r.has(7)).toBe(true);
    expect(r.has(3)).toBe(false);
    expect([...r]).toEqual([...map]);
    expect([...r.entries()]).toEqual([...map.entries()]);
    expect([...r.keys()]).toEqual([2, 0, 7]);
    expect([...r.values()]).toEqual([a, b, c]);
    const seen: [number, RoundState][] = [];
    r.forEach((v, k, m) => {
      expect(m).toBe(r);
      seen.push([k, v]);
    });
    expect(seen).toEqual([...map]);
    expect(Rounds.from(r)).toBe(r);
    expect(Rounds.of([], [])).toBe(Rounds.EMPTY);
    expect(Rounds.EMPTY.size).toBe(0);
  });
});
