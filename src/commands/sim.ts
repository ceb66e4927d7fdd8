import { closeSync, openSync, readFileSync, writeSync } from "node:fs";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../cli/base-command.js";
import { UserError } from "../cli/errors.js";
import { PRESET_NAMES, type PresetName } from "../core/chain/params.js";
import {
  DEFAULTS,
  parseSimScenario,
  renderReport,
  reproduceCommand,
  resolveConfig,
  runSimulation,
  type ScenarioSettings,
  type SimConfig,
  type TraceLine,
} from "../sim/index.js";

export default class Sim extends BaseCommand {
  static override summary =
    "Deterministic simulation of a fastpos network: real consensus engines and chain state on a virtual network.";
  static override description =
    "Runs --validators real consensus engines, each with its own real chain state (blocks built and " +
    "re-executed, staking and slashing), with ed25519 signatures, over a seeded virtual network (per-link " +
    "latency, loss, partitions, crashes and restarts with WAL replay, byzantine behaviours, tx load) until " +
    "every live honest validator has committed --heights blocks. Reports rounds per height, block time, " +
    "commit latency, messages, safety and liveness verdicts and a digest of the final state that is the same " +
    "for the same seed and inputs. Exits 1 when safety or liveness fails, printing the command that " +
    "reproduces it. See docs/simulation.md.";
  static override examples = [
    "<%= config.bin %> sim --validators 4 --heights 50",
    "<%= config.bin %> sim --validators 100 --heights 200 --preset mainnet-like --seed 7 --json",
    "<%= config.bin %> sim --scenario docs/sim/one-third-offline.yaml --trace run.ndjson",
    "<%= config.bin %> watch --replay run.ndjson",
  ];
  static override flags = {
    validators: Flags.integer({
      char: "n",
      description: `Validators [default: ${DEFAULTS.validators}, or the scenario's]`,
      min: 1,
      max: 1000,
    }),
    heights: Flags.integer({
      description: `Heights every live honest validator must commit [default: ${DEFAULTS.heights}]`,
      min: 1,
      max: 1_000_000,
    }),
    seed: Flags.string({ description: `Seed of the network, faults and load [default: ${DEFAULTS.seed}]` }),
    preset: Flags.string({
      description: "Chain params and network preset [default: dev]",
      options: [...PRESET_NAMES],
    }),
    scenario: Flags.string({
      description: "Scenario file (YAML): network, faults, byzantine validators",
      helpValue: "FILE",
    }),
    trace: Flags.string({
      description: "Write an NDJSON event trace (play it with `fastpos watch --replay`)",
      helpValue: "FILE",
    }),
    "tx-rate": Flags.integer({
      description: "Transfers per second of virtual time [default: 0, or the scenario's]",
      min: 0,
    }),
    workers: Flags.integer({
      description:
        "Threads that sign and check signatures beside the simulation [default: one per core besides the simulation's, at least 1; 0 = in line]. Never changes a result",
      min: 0,
      max: 64,
    }),
    "fake-signer": Flags.boolean({
      description:
        "Fast fake signatures instead of ed25519 for huge runs (reported; proves nothing about signatures)",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Sim);
    const scenario = flags.scenario ? readScenario(flags.scenario) : {};
    const config = resolveConfig(
      {
        validators: flags.validators,
        heights: flags.heights,
        seed: flags.seed,
        preset: flags.preset as PresetName | undefined,
        fakeSigner: flags["fake-signer"],
        txRate: flags["tx-rate"],
        workers: flags.workers,
      },
      scenario,
    );
    checkNodes(config);
    const trace = flags.trace ? openTrace(flags.trace) : undefined;
    const started = performance.now();
    let report: ReturnType<typeof runSimulation>;
    try {
      report = runSimulation(config, trace ? { trace: trace.write } : {});
    } finally {
      trace?.close();
    }
    report.wallMs = Math.round(performance.now() - started);
    const reproduce = reproduceCommand(config, flags.scenario);
    this.emit({ ...report, reproduce }, (r) => this.log(renderReport(r, reproduce)));
    if (!report.safety.ok || !report.liveness.ok) {
      if (this.jsonMode) process.stderr.write(`Reproduce with: ${reproduce}\n`);
      process.exitCode = 1;
    }
  }
}

function readScenario(file: string): ScenarioSettings {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError(
      "SIM_SCENARIO_UNREADABLE",
      `cannot read scenario ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        hint: "check the path of --scenario",
        cause: err,
      },
    );
  }
  return parseSimScenario(text, file);
}

/** Every validator a fault or byzantine entry names must exist with the final --validators. */
function checkNodes(c: SimConfig): void {
  const named = [
    ...c.byzantine.flatMap((b) => b.nodes),
    ...c.faults.flatMap((f) => ("nodes" in f ? f.nodes : f.kind === "partition" ? f.groups.flat() : [])),
  ];
  const bad = named.find((i) => i >= c.validators);
  if (bad !== undefined)
    throw new UserError(
      "SIM_BAD_VALIDATOR",
      `the scenario names validator ${bad}, but there are only ${c.validators}`,
      {
        hint: "validators are numbered from 0; raise --validators or fix the scenario",
      },
    );
}

/** A buffered NDJSON writer (one line per trace event). */
function openTrace(file: string): { write: (line: TraceLine) => void; close: () => void } {
  const fd = openSync(file, "w");
  let buf: string[] = [];
  const flush = () => {
    if (buf.length) writeSync(fd, buf.join(""));
    buf = [];
  };
  return {
    write: (line) => {
      buf.push(`${JSON.stringify(line, (_k, v) => (typeof v === "bigint" ? v.toString() : v))}\n`);
      if (buf.length >= 1000) flush();
    },
    close: () => {
      flush();
      closeSync(fd);
    },
  };
}
