import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../cli/base-command.js";
import { UserError } from "../cli/errors.js";
import { devnetFlag } from "../cli/flags.js";
import { spinner } from "../cli/progress.js";
import { DEFAULT_MAX_PENDING, runBench } from "../devnet/bench.js";
import { devnetDown } from "../devnet/control.js";
import { parseManifest } from "../devnet/manifest.js";
import { type DevnetFile, devnetDir, pickDevnet } from "../devnet/state.js";
import { devnetUp } from "../devnet/up.js";
import { resolveHome } from "../keystore/home.js";
import { loadKeypair } from "../keystore/keys-service.js";
import { createKeystore } from "../keystore/keystore.js";

function parseDuration(s: string): number {
  const m = /^(\d+)(ms|s|m)?$/.exec(s);
  if (!m)
    throw new UserError("BAD_DURATION", `--duration must look like 30s, 500ms or 2m, got "${s}"`, {
      hint: "a number and a unit: ms, s or m (e.g. --duration 30s)",
    });
  const n = Number(m[1]);
  return m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : n * 1000;
}

export default class Bench extends BaseCommand {
  static override summary =
    "Load-test a devnet: finalized tx/s, submit→final latency, block time, node RSS/CPU.";
  static override description =
    "Pre-funds --accounts accounts from the devnet's funded keys, then submits signed transfers open-loop at " +
    "--rate tx/s (or as fast as accepted with --max) for --duration, spread over all nodes. The txs are signed " +
    "before the timed phase unless --no-presign. Without --devnet it " +
    "starts a temporary N-validator devnet and removes it afterwards.";
  static override examples = [
    "<%= config.bin %> bench -n 4 --duration 30s --max",
    "<%= config.bin %> bench --devnet local --rate 500 --duration 20s --json",
  ];
  static override flags = {
    devnet: devnetFlag({
      description: "Load this running devnet instead of a temporary one",
      exclusive: ["validators"],
    }),
    validators: Flags.integer({
      char: "n",
      description: "Validators of the temporary devnet",
      default: 4,
      min: 1,
      max: 16,
    }),
    duration: Flags.string({ description: "Load duration (e.g. 30s)", default: "30s" }),
    rate: Flags.integer({ description: "Target tx/s (open loop)", min: 1, exclusive: ["max"] }),
    max: Flags.boolean({
      description:
        "Submit as fast as the network finalizes: keep up to --max-pending accepted txs not yet final",
    }),
    "max-pending": Flags.integer({
      description: `With --max: most accepted-but-not-final txs at a time [default: ${DEFAULT_MAX_PENDING}]`,
      min: 1,
      max: 1_000_000,
      dependsOn: ["max"],
    }),
    presign: Flags.boolean({
      description:
        "Sign the load's txs before the timed phase, so signing does not take CPU from nodes on the same machine (--no-presign: sign during the load)",
      default: true,
      allowNo: true,
    }),
    accounts: Flags.integer({
      description: "Sending accounts to create",
      default: 1000,
      min: 1,
      max: 100_000,
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Bench);
    const durationMs = parseDuration(flags.duration);
    if (durationMs > 600_000) throw new UserError("BAD_DURATION", "--duration is limited to 10m");
    const spin = spinner(!this.jsonMode);
    let home = resolveHome(flags.home);
    let temp: string | undefined;
    let devnet: DevnetFile;
    try {
      if (flags.devnet) devnet = pickDevnet(home, flags.devnet);
      else {
        temp = mkdtempSync(join(tmpdir(), "fastpos-bench-"));
        home = temp;
        spin.update(`starting a ${flags.validators}-validator devnet`);
        devnet = (
          await devnetUp(home, parseManifest({ name: "bench", validators: flags.validators, seed: "bench" }))
        ).devnet;
      }
      const ks = createKeystore(devnetDir(home, devnet.name));
      const funders = await Promise.all(
        devnet.accounts.map(async (a) => (await loadKeypair(ks, a.name)).secretKey),
      );
      const report = await runBench({
        urls: devnet.nodes.map((n) => n.apiUrl),
        chainId: devnet.chainId,
        funders,
        accounts: flags.accounts,
        durationMs,
        rate: flags.rate,
        maxPending: flags["max-pending"],
        presign: flags.presign,
        onProgress: (p) => spin.update(`${p.phase}: ${p.submitted} submitted, ${p.finalized} final`),
      });
      spin.stop();
      this.emit({ validators: devnet.nodes.length, ...report }, (r) => {
        this.log(`${r.validators} validators, ${r.accounts} accounts, ${r.durationS} s of load`);
        this.log(
          `  finalized      ${r.finalizedDuringLoad} during the load → ${r.finalizedTps} tx/s sustained; ${r.finalized} of ${r.accepted} accepted (${r.submitted} submitted) after the drain`,
        );
        this.log(
          `  latency        p50 ${r.latencyMs.p50} ms, p90 ${r.latencyMs.p90} ms, p99 ${r.latencyMs.p99} ms (submit → final)`,
        );
        this.log(`  blocks         ${r.blocks}, every ${r.blockTimeMs} ms on average`);
        if (Object.keys(r.rejected).length) this.log(`  rejected       ${JSON.stringify(r.rejected)}`);
        for (const n of r.nodes)
          this.log(
            `  node ${n.url}  RSS ${n.rssMB} MB (peak under load ${n.peakRssMB} MB), CPU ${n.loadCpuSeconds.toFixed(1)} s under load`,
          );
        this.log(
          `  memory         ${r.memoryMB.devnet} MB for the devnet at its peak (private pages + the shared node binary once); RSS summed ${r.memoryMB.rssSum} MB`,
        );
        this.log(`  cost           ${r.cpuMsPerTx} ms of node CPU per finalized tx (all nodes)`);
        this.log(
          `  load txs       ${r.presigned} signed before the load, ${r.signedDuringLoad} signed during it`,
        );
      });
    } finally {
      spin.stop();
      if (temp) {
        try {
          await devnetDown(temp, pickDevnet(temp, "bench"), false);
        } catch {}
        rmSync(temp, { recursive: true, force: true });
      }
    }
  }
}
