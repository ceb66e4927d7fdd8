import { writeFileSync } from "node:fs";
import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { devnetFlag } from "../../cli/flags.js";
import { cliHooks } from "../../devnet/scenario/cli-hooks.js";
import { readScenario } from "../../devnet/scenario/parse.js";
import { reportJunit, reportText } from "../../devnet/scenario/report.js";
import { runScenario } from "../../devnet/scenario/run.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetTest extends BaseCommand {
  static override summary = "Run a chaos scenario (YAML) against a devnet and check the built-in invariants.";
  static override description =
    "Runs the steps of FILE in order (up, load, kill/stop/start/restart/pause/resume, partition, heal, latency, " +
    "add-validator, byzantine, wait, assert), then checks on every node: one block hash per height, every " +
    "finalized tx in exactly one block, supply conserved, no double votes, liveness after the last heal. " +
    "Random node choices come from --seed, so a run can be repeated. Exit 0 only if everything passed. " +
    'See README "Testing your network" for the DSL.';
  static override args = { file: Args.string({ description: "Scenario file (YAML)", required: true }) };
  static override examples = [
    "<%= config.bin %> devnet test devnets/scenarios/crash-restart.yaml",
    "<%= config.bin %> devnet test devnets/scenarios/minority-partition.yaml --junit report.xml --seed 42",
    "<%= config.bin %> devnet test devnets/scenarios/kill-during-load.yaml --provider docker --json",
  ];
  static override flags = {
    devnet: devnetFlag({
      description:
        "Devnet to use (scenario without `up`), or the name `up` gives it [default: test-SCENARIO]",
    }),
    junit: Flags.string({ description: "Also write a JUnit XML report to this file", helpValue: "FILE" }),
    seed: Flags.string({
      description: "Seed for random node choices [default: the scenario's, else random]",
    }),
    provider: Flags.string({
      description: "Provider for the `up` step (overrides the scenario)",
      options: ["process", "docker"],
    }),
    network: Flags.string({ description: "Docker provider: bridge or host", options: ["bridge", "host"] }),
    image: Flags.string({ description: "Docker provider: image tag" }),
    keep: Flags.boolean({ description: "Leave the devnet the scenario started running afterwards" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetTest);
    const home = resolveHome(flags.home);
    const scenario = readScenario(args.file);
    const report = await runScenario({
      home,
      scenario,
      seed: flags.seed,
      devnet: flags.devnet,
      provider: flags.provider as "process" | "docker" | undefined,
      network: flags.network as "bridge" | "host" | undefined,
      image: flags.image,
      keep: flags.keep,
      hooks: cliHooks(home, (id) => this.config.findCommand(id) !== undefined),
      log: (line) => this.note(line),
    });
    if (flags.junit) {
      try {
        writeFileSync(flags.junit, reportJunit(report));
      } catch (err) {
        throw new UserError(
          "JUNIT_WRITE_FAILED",
          `cannot write ${flags.junit}: ${(err as NodeJS.ErrnoException).code}`,
          { cause: err },
        );
      }
    }
    this.emit(report, (r) => this.log(reportText(r)));
    if (!report.passed) process.exitCode = 1;
  }
}
