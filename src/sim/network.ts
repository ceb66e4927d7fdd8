import type { LinkModel } from "./config.js";
import type { Rng } from "./rng.js";

/**
 * The virtual network: a full mesh of directed links. Each link draws its own mean latency once (links
 * differ, as in a real WAN); each send adds jitter from the model's distribution and may be lost or
 * duplicated. Partitions put nodes in groups; a message crosses groups only after a heal. Delays are whole
 * milliseconds of virtual time, at least 1.
 */
export class Network {
  private model: LinkModel;
  private means: Float64Array;
  /** Partition group per node; all 0 = connected. */
  private group: Int32Array;

  constructor(
    readonly size: number,
    model: LinkModel,
    private readonly rng: Rng,
  ) {
    this.model = model;
    this.means = new Float64Array(size * size);
    this.group = new Int32Array(size);
    this.drawMeans();
  }

  get links(): LinkModel {
    return this.model;
  }

  /** Changes the network conditions from now on (a scenario `links` step); redraws link means. */
  setModel(patch: Partial<LinkModel>): void {
    this.model = { ...this.model, ...patch };
    this.drawMeans();
  }

  private drawMeans(): void {
    const { latencyMs, spread } = this.model;
    for (let i = 0; i < this.means.length; i++)
      this.means[i] = latencyMs * (1 + spread * (2 * this.rng.next() - 1));
  }

  /** Splits the nodes into groups; nodes in no group form one more group. */
  partition(groups: readonly (readonly number[])[]): void {
    this.group.fill(groups.length + 1);
    groups.forEach((g, gi) => {
      for (const n of g) this.group[n] = gi + 1;
    });
  }

  heal(): void {
    this.group.fill(0);
  }

  connected(from: number, to: number): boolean {
    return this.group[from] === this.group[to];
  }

  /**
   * One send: the delay of its copy, or -1 if cut or lost. A duplicated send's second delay is left in
   * `duplicateDelay` (else -1). PERF: no array per send (one per peer per message at 100 validators).
   */
  sample(from: number, to: number): number {
    this.duplicateDelay = -1;
    if (this.group[from] !== this.group[to]) return -1;
    const m = this.model;
    if (m.loss > 0 && this.rng.next() < m.loss) return -1;
    const twice = m.duplicate > 0 && this.rng.next() < m.duplicate;
    const first = this.delay(from, to);
    if (twice) this.duplicateDelay = this.delay(from, to);
    return first;
  }

  /** The second copy's delay of the last `sample` (-1: not duplicated). */
  duplicateDelay = -1;

  /** A delay for one message on the link, without loss (sync replies, re-sends). */
  delay(from: number, to: number): number {
    const m = this.model;
    const mean = this.means[from * this.size + to] as number;
    let j = 0;
    if (m.jitterMs > 0) {
      if (m.dist === "uniform") j = m.jitterMs * (2 * this.rng.next() - 1);
      else if (m.dist === "normal") {
        // Irwin–Hall: the sum of 12 uniforms minus 6 has sd 1; no transcendental functions, so the draw is
        // identical on every platform.
        let s = 0;
        for (let k = 0; k < 12; k++) s += this.rng.next();
        j = m.jitterMs * (s - 6);
      } else {
        j = m.jitterMs * -Math.log(1 - this.rng.next());
      }
    }
    return Math.max(1, Math.round(mean + j));
  }
}
