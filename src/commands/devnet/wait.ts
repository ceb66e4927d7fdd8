import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { devnetFlag } from "../../cli/flags.js";
import { pickDevnet } from "../../devnet/state.js";
import { waitForHeight } from "../../devnet/up.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetWait extends BaseCommand {
  static override summary = "Wait until a devnet reaches a height (exit 3 on timeout).";
  static override examples = [
    "<%= config.bin %> devnet wait --height 10",
    "<%= config.bin %> devnet wait --height 100 --timeout 30 --devnet big --json",
  ];
  static override flags = {
    devnet: devnetFlag(),
    height: Flags.integer({ description: "Target height [default: current + 1]", min: 1 }),
    timeout: Flags.integer({ description: "Seconds before giving up (exit 3)", default: 60 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetWait);
    const d = pickDevnet(resolveHome(flags.home), flags.devnet);
    const target =
      flags.height !== undefined ? BigInt(flags.height) : (await waitForHeight(d, 0n, 5000)) + 1n;
    const height = await waitForHeight(d, target, flags.timeout * 1000);
    this.emit({ name: d.name, height: height.toString() }, (o) =>
      this.log(`devnet "${o.name}" is at height ${o.height}`),
    );
  }
}
