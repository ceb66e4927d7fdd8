import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { devnetFlag } from "../../cli/flags.js";
import { setLatency } from "../../devnet/faults.js";
import { pickDevnet } from "../../devnet/state.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetLatency extends BaseCommand {
  static override summary = "Delay (± jitter) and lose p2p frames to and from a node, or on every link.";
  static override description =
    "Every frame to or from NODE is delayed --ms plus a uniform 0..--jitter ms (frame order is kept) and " +
    "dropped with probability --loss. With `all`, each link gets those values once. --ms 0 without jitter " +
    "or loss removes it; `devnet heal` clears all faults.";
  static override args = {
    node: Args.string({ description: "Node name or index, or `all`", required: true }),
  };
  static override examples = [
    "<%= config.bin %> devnet latency all --ms 300",
    "<%= config.bin %> devnet latency node2 --ms 200 --jitter 50 --loss 0.05 --json",
  ];
  static override flags = {
    devnet: devnetFlag(),
    ms: Flags.integer({ description: "Delay in ms", required: true, min: 0, max: 60_000 }),
    jitter: Flags.integer({ description: "Extra random delay 0..J ms", default: 0, min: 0, max: 60_000 }),
    loss: Flags.string({ description: "Probability 0..1 that a frame is lost", default: "0" }),
    persist: Flags.boolean({ description: "Keep it across node restarts (until `devnet heal`)" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetLatency);
    const loss = Number(flags.loss);
    if (!/^\d*\.?\d+$/.test(flags.loss) || !(loss >= 0 && loss <= 1))
      throw new UserError("BAD_LOSS", `--loss must be a probability between 0 and 1, got "${flags.loss}"`);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const r = await setLatency(d, args.node, {
      ms: flags.ms,
      jitterMs: flags.jitter,
      loss,
      persist: flags.persist,
    });
    this.emit(r, (o) => {
      this.log(
        `latency on ${o.target}: ${flags.ms} ms ± ${flags.jitter} ms, loss ${loss}${flags.persist ? " (persisted)" : ""}`,
      );
      for (const c of o.nodes.filter((x) => x.result !== "set"))
        this.log(`  ${c.node}: ${c.result} (${c.reason})`);
    });
  }
}
