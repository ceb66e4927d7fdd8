import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { spinner } from "../../cli/progress.js";
import { parseManifest, readManifest } from "../../devnet/manifest.js";
import { devnetUp } from "../../devnet/up.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetUp extends BaseCommand {
  static override summary = "Start a local N-validator devnet and wait for its first final block.";
  static override description =
    "Each validator runs as a detached child process with its home in $FASTPOS_HOME/devnets/NAME/ and " +
    "dynamically allocated loopback ports. Keys derive from --seed, so addresses are reproducible. Funded " +
    "accounts (alice, bob, carol by default) are usable with `fastpos tx transfer --from alice` at once.";
  static override examples = [
    "<%= config.bin %> devnet up",
    "<%= config.bin %> devnet up -n 7 --name big --seed ci-42",
    "<%= config.bin %> devnet up -f devnets/local.yaml --json | jq -r '.nodes[0].apiUrl'",
  ];
  static override flags = {
    validators: Flags.integer({
      char: "n",
      description: "Number of validators [default: 5]",
      min: 1,
      max: 64,
    }),
    name: Flags.string({ description: "Devnet name [default: local]" }),
    preset: Flags.string({
      description: "Parameter preset [default: dev]",
      options: ["dev", "test", "mainnet-like"],
    }),
    file: Flags.string({
      char: "f",
      description: "Devnet manifest (YAML), e.g. devnets/local.yaml; flags override it",
    }),
    seed: Flags.string({ description: "Seed for all devnet keys [default: fastpos]" }),
    timeout: Flags.integer({ description: "Seconds to wait for the first block", default: 60 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetUp);
    const base = flags.file ? readManifest(flags.file) : parseManifest({});
    const manifest = parseManifest({
      ...structuredCloneSafe(base),
      ...(flags.validators !== undefined ? { validators: flags.validators } : {}),
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.preset ? { preset: flags.preset } : {}),
      ...(flags.seed ? { seed: flags.seed } : {}),
    });
    const spin = spinner(!this.jsonMode);
    let r: Awaited<ReturnType<typeof devnetUp>>;
    try {
      r = await devnetUp(resolveHome(flags.home), manifest, {
        timeoutMs: flags.timeout * 1000,
        onProgress: (m) => spin.update(m),
      });
    } finally {
      spin.stop();
    }
    const d = r.devnet;
    this.emit(
      {
        name: d.name,
        chainId: d.chainId,
        genesisHash: r.genesisHash,
        firstBlockMs: r.firstBlockMs,
        nodes: d.nodes,
        accounts: d.accounts,
      },
      (o) => {
        this.log(
          `Devnet "${o.name}" is up (chain ${o.chainId}), first block final after ${(o.firstBlockMs / 1000).toFixed(1)} s\n`,
        );
        this.log("Validators");
        for (const n of o.nodes)
          this.log(
            `  ${n.name.padEnd(8)} ${n.apiUrl.padEnd(24)} pid ${String(n.pid).padEnd(8)} ${n.validator}`,
          );
        this.log("\nFunded accounts (use the name with --from)");
        for (const a of o.accounts) this.log(`  ${a.name.padEnd(8)} ${a.address}`);
        this.log("\nTry: fastpos tx transfer --from alice --to <address> --amount 10 --wait");
        this.log("     fastpos devnet status | fastpos devnet down");
      },
    );
  }
}

/** Manifest values include bigints; a shallow copy is enough for flag overrides. */
function structuredCloneSafe<T extends object>(o: T): T {
  return { ...o };
}
