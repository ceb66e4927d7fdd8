import type { RoundState } from "./types.js";

/**
 * The per-round states of one height, by round number, in the order the rounds were first seen (the order
 * the decide rule scans them in). An immutable value: it reads as a `ReadonlyMap`, and a change makes a new
 * one (`Rounds.of` from arrays the engine's working copy owns).
 *
 * PERF (issue 21): the engine changes one round per counted vote and must leave its input state as it was,
 * so every such step copied a `Map`; a height holds one to three rounds, and two short arrays copy ~10×
 * faster than a Map is rebuilt from its entries. Look-ups scan the keys: a height past a few dozen rounds
 * is already a stalled network, where this costs little next to what stalls it.
 */
export class Rounds implements ReadonlyMap<number, RoundState> {
  static readonly EMPTY = new Rounds([], []);

  private constructor(
    /** @internal round numbers, insertion order */
    readonly keyList: readonly number[],
    /** @internal `keyList[i]`'s state */
    readonly valueList: readonly RoundState[],
  ) {}

  /** Adopts the two arrays (the caller never changes them afterwards). */
  static of(keys: readonly number[], values: readonly RoundState[]): Rounds {
    return keys.length === 0 ? Rounds.EMPTY : new Rounds(keys, values);
  }

  /** Any map of rounds as a `Rounds` (itself when it already is one). */
  static from(map: ReadonlyMap<number, RoundState>): Rounds {
    return map instanceof Rounds ? map : Rounds.of([...map.keys()], [...map.values()]);
  }

  get size(): number {
    return this.keyList.length;
  }

  get(round: number): RoundState | undefined {
    const i = this.keyList.indexOf(round);
    return i < 0 ? undefined : this.valueList[i];
  }

  has(round: number): boolean {
    return this.keyList.indexOf(round) >= 0;
  }

  forEach(
    fn: (value: RoundState, key: number, map: ReadonlyMap<number, RoundState>) => void,
    that?: unknown,
  ) {
    for (let i = 0; i < this.keyList.length; i++)
      fn.call(that, this.valueList[i] as RoundState, this.keyList[i] as number, this);
  }

  *entries(): MapIterator<[number, RoundState]> {
    for (let i = 0; i < this.keyList.length; i++)
      yield [this.keyList[i] as number, this.valueList[i] as RoundState];
  }

  keys(): MapIterator<number> {
    return this.keyList.values();
  }

  values(): MapIterator<RoundState> {
    return this.valueList.values();
  }

  [Symbol.iterator](): MapIterator<[number, RoundState]> {
    return this.entries();
  }
}
