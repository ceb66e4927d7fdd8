import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { devnetFlag } from "../../cli/flags.js";
import { spinner } from "../../cli/progress.js";
import { clientFor } from "../../cli/target.js";
import { devnetDown } from "../../devnet/control.js";
import { parseDurationMs } from "../../devnet/duration.js";
import { parseManifest, readManifest } from "../../devnet/manifest.js";
import { devnetDir, listDevnets, readDevnet } from "../../devnet/state.js";
import { devnetUp } from "../../devnet/up.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetUp extends BaseCommand {
  static override summary = "Start a local N-validator devnet and wait for its first final block.";
  static override description =
    "Each validator runs as a detached child process (default) or, with --provider docker, as a container " +
    "on the local Docker engine (DOCKER_HOST respected); its home is in $FASTPOS_HOME/devnets/NAME/ and its " +
    "ports are dynamically allocated on 127.0.0.1. Keys derive from --seed, so addresses are reproducible. " +
    "Funded accounts (alice, bob, carol by default) are usable with `fastpos tx transfer --from alice` at " +
    "once. The docker provider builds its image offline when missing (see `fastpos devnet image build`).";
  static override examples = [
    "<%= config.bin %> devnet up",
    "<%= config.bin %> devnet up -n 7 --devnet big --seed ci-42",
    "<%= config.bin %> devnet up -f devnets/local.yaml --json | jq -r '.nodes[0].apiUrl'",
    "<%= config.bin %> devnet up -n 4 --provider docker",
    "<%= config.bin %> devnet up --provider docker --network host --image fastpos-node:mine",
    "<%= config.bin %> devnet up --block-time 0   # a block every commit wait, even when idle",
    "docker swarm init --advertise-addr 127.0.0.1 && <%= config.bin %> devnet up -n 4 --provider swarm",
  ];
  static override flags = {
    validators: Flags.integer({
      char: "n",
      description: "Number of validators [default: 5]",
      min: 1,
      max: 64,
    }),
    devnet: devnetFlag({ description: "Name of the devnet to create [default: local]", nameAlias: true }),
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
    provider: Flags.string({
      description:
        "Where nodes run: child processes, Docker containers, or Docker Swarm services [default: process]",
      options: ["process", "docker", "swarm"],
    }),
    network: Flags.string({
      description:
        "Networking: docker: bridge (own network, ports published on 127.0.0.1) or host [default: bridge]; swarm: overlay (ports published through the routing mesh) or host [default: overlay]",
      options: ["bridge", "host", "overlay"],
    }),
    image: Flags.string({
      description: "Docker image to run [default: fastpos-node:VERSION, built offline when missing]",
    }),
    "block-time": Flags.string({
      description:
        "Idle mode: longest time between blocks with nothing to include (1s, 500ms; 0 = a block every commit wait). A tx proposes at once [default: 1s on the dev preset, else 0]",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(DevnetUp);
    const blockTimeFlag = (v: string): number => {
      const ms = parseDurationMs(v);
      if (ms === null || ms > 3_600_000)
        throw new UserError(
          "BAD_DURATION",
          `--block-time must look like 1s, 500ms or 0 (at most 1h), got "${v}"`,
          {
            hint: "e.g. --block-time 2s, or --block-time 0 for a block every commit wait",
          },
        );
      return ms;
    };
    const base = flags.file ? readManifest(flags.file) : parseManifest({});
    const manifest = parseManifest({
      ...structuredCloneSafe(base),
      ...(flags.validators !== undefined ? { validators: flags.validators } : {}),
      ...(flags.devnet ? { name: flags.devnet } : {}),
      ...(flags.preset ? { preset: flags.preset } : {}),
      ...(flags.seed ? { seed: flags.seed } : {}),
      ...(flags.provider ? { provider: flags.provider } : {}),
      ...(flags["block-time"] !== undefined ? { blockTime: blockTimeFlag(flags["block-time"]) } : {}),
    });
    const spin = spinner(!this.jsonMode);
    const home = resolveHome(flags.home);
    // Ctrl-C (or SIGTERM) half-way must not leave nodes running silently (issue 19 item 10).
    const onSignal = () => {
      spin.stop();
      void interruptedUp(home, manifest.name, existedBefore).finally(() => process.exit(130));
    };
    const existedBefore = existsSync(devnetDir(home, manifest.name));
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let r: Awaited<ReturnType<typeof devnetUp>>;
    try {
      r = await devnetUp(home, manifest, {
        timeoutMs: flags.timeout * 1000,
        onProgress: (m) => spin.update(m),
        provider: manifest.provider,
        image: flags.image ?? (manifest.provider !== "process" ? manifest.docker?.image : undefined),
        network:
          (flags.network as "bridge" | "host" | "overlay" | undefined) ??
          (manifest.provider === "docker" ? manifest.docker?.network : undefined),
      });
    } finally {
      spin.stop();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    const d = r.devnet;
    // Balances next to the addresses (as anvil prints them), read from the live chain: the truth, not the plan.
    const api = clientFor((d.nodes[0] as { apiUrl: string }).apiUrl);
    const accounts = await Promise.all(
      d.accounts.map(async (a) => ({
        ...a,
        balance: await api.account(a.address).then(
          (x) => String(x.balance),
          () => null,
        ),
      })),
    );
    this.emit(
      {
        name: d.name,
        chainId: d.chainId,
        genesisHash: r.genesisHash,
        firstBlockMs: r.firstBlockMs,
        provider: d.provider,
        blockTimeMs: d.blockTimeMs ?? 0,
        ...(d.docker ? { docker: { ...d.docker, imageBuilt: r.imageBuilt ?? false } } : {}),
        ...(d.swarm ? { swarm: { ...d.swarm, imageBuilt: r.imageBuilt ?? false } } : {}),
        nodes: d.nodes,
        accounts,
      },
      (o) => {
        this.log(
          `Devnet "${o.name}" is up (chain ${o.chainId}), first block final after ${(o.firstBlockMs / 1000).toFixed(1)} s\n`,
        );
        if (o.docker)
          this.log(
            `Docker: image ${o.docker.image}${o.docker.imageBuilt ? " (just built)" : ""}, ${o.docker.network} network\n`,
          );
        this.log(
          o.blockTimeMs > 0
            ? `Idle: one empty block per ${o.blockTimeMs} ms when there is nothing to include; a tx proposes at once (--block-time)\n`
            : "Blocks: one every commit wait, even when idle (--block-time 0)\n",
        );
        if (o.swarm)
          this.log(
            `Swarm: image ${o.swarm.image}, ${o.swarm.network} network, nodes ${o.swarm.placement.join(", ")}\n`,
          );
        this.log("Validators");
        for (const n of o.nodes)
          this.log(
            `  ${n.name.padEnd(8)} ${n.apiUrl.padEnd(24)} ${n.container ? `${o.swarm ? "service" : "container"} ${n.container}` : `pid ${String(n.pid).padEnd(8)}`} ${n.validator}`,
          );
        this.log("\nFunded accounts (use the name with --from)");
        for (const a of o.accounts)
          this.log(
            `  ${a.name.padEnd(8)} ${a.address}  ${a.balance === null ? "" : `${a.balance} tokens`}`.trimEnd(),
          );
        // Commands to copy as they are: with several devnets, each needs `-d NAME`.
        const d = listDevnets(home).length > 1 ? ` -d ${o.name}` : "";
        const [from, to] = [o.accounts[0]?.name ?? "alice", o.accounts[1]?.name ?? "<address>"];
        this.log(`\nTry: fastpos tx transfer --from ${from} --to ${to} --amount 10 --wait${d}`);
        this.log(`     fastpos devnet status${d}`);
        this.log(`Stop it with: fastpos devnet down${d}`);
      },
    );
  }
}

/**
 * After an interrupted `devnet up`: stops every node it recorded and removes the half-made devnet, saying so
 * on stderr. A devnet directory that existed before this command (up refuses those) is never touched.
 */
async function interruptedUp(home: string, name: string, existedBefore: boolean): Promise<void> {
  process.stderr.write(`\nInterrupted: stopping what \`devnet up\` started for "${name}"…\n`);
  if (existedBefore) return;
  try {
    if (existsSync(join(devnetDir(home, name), "devnet.json"))) {
      const r = await devnetDown(home, readDevnet(home, name), false);
      process.stderr.write(`Stopped ${r.stopped.length} node(s); devnet "${name}" removed.\n`);
    } else {
      rmSync(devnetDir(home, name), { recursive: true, force: true });
      process.stderr.write(`No node was started yet; devnet "${name}" removed.\n`);
    }
  } catch (err) {
    process.stderr.write(
      `Could not clean up: ${(err as Error).message}\nHint: run \`fastpos devnet down -d ${name}\`\n`,
    );
  }
}

/** Manifest values include bigints; a shallow copy is enough for flag overrides. */
function structuredCloneSafe<T extends object>(o: T): T {
  return { ...o };
}
