import { resolve } from "node:path";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import type { ConfigLayer } from "../../node/config.js";
import { createNode } from "../../node/create-node.js";
import { assertNodeHome } from "../../node/home.js";
import { initHomeFromSource } from "../../node/init-home.js";
import { parseInitIndex, readInitDir, readInitEnv } from "../../node/init-source.js";

/**
 * SECURITY: the process-level guard (issue 24). Input from the network is handled inside guarded handlers,
 * so an exception reaching here is a fastpos bug in some callback; a node that dies of it stops voting,
 * and a few such nodes halt finality. Everything consensus relies on is persisted before use (the signer
 * state before a signature leaves, each block in one atomic batch), so staying up is safe: log it loudly
 * and keep running. Only SIGINT/SIGTERM (or an error while starting) end the node.
 */
function guardProcess(log: { error(obj: object, msg?: string): void }): void {
  process.on("uncaughtException", (err) =>
    log.error(
      { err: err?.stack ?? String(err) },
      "uncaught exception (a fastpos bug; the node keeps running)",
    ),
  );
  process.on("unhandledRejection", (err) =>
    log.error(
      { err: (err as Error)?.stack ?? String(err) },
      "unhandled rejection (a fastpos bug; the node keeps running)",
    ),
  );
}

export default class NodeStart extends BaseCommand {
  static override summary = "Run a node in the foreground until SIGINT/SIGTERM.";
  static override description =
    "Configuration: <home>/config.yaml < FASTPOS_* environment < these flags. Logs are JSON lines in " +
    "<home>/logs/node.log and on stderr. With --json, one line with the endpoints is printed once the node runs.";
  static override examples = [
    "<%= config.bin %> node start --home ./node0",
    "FASTPOS_LOG_LEVEL=debug <%= config.bin %> node start --home ./node0 --api-listen 127.0.0.1:8080",
  ];
  static override flags = {
    home: Flags.string({ description: "Node home directory (see `fastpos node init`)", required: true }),
    "p2p-listen": Flags.string({ description: "p2p HOST:PORT" }),
    "api-listen": Flags.string({ description: "API HOST:PORT" }),
    peer: Flags.string({
      description: "Static peer ws:// URL (repeatable; replaces the configured list)",
      multiple: true,
    }),
    "state-sync": Flags.boolean({
      description:
        "On a fresh node: fetch a verified state snapshot from peers, then block-sync to the tip (config stateSync.enabled)",
    }),
    "log-level": Flags.string({
      description: "Log level",
      options: ["trace", "debug", "info", "warn", "error", "fatal", "silent"],
    }),
    "init-from-dir": Flags.string({
      description:
        "First make --home a node home from DIR (genesis.json, config.yaml, validator-key.json, node-key.json, admin-token; e.g. /run/secrets; repeatable, searched in order); kept on restart",
      exclusive: ["init-from-env"],
      multiple: true,
    }),
    "init-from-env": Flags.boolean({
      description:
        "First make --home a node home from FASTPOS_INIT_* variables (see `fastpos node init --help`)",
    }),
    "init-index": Flags.string({
      description: "With --init-from-dir: prefer N.<file> (N, or `hostname` for a StatefulSet pod NAME-N)",
      dependsOn: ["init-from-dir"],
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeStart);
    const layer: ConfigLayer = {};
    if (flags["p2p-listen"] || flags.peer)
      layer.p2p = {
        ...(flags["p2p-listen"] ? { listen: flags["p2p-listen"] } : {}),
        ...(flags.peer ? { peers: flags.peer } : {}),
      };
    if (flags["api-listen"]) layer.api = { listen: flags["api-listen"] };
    if (flags["log-level"]) layer.log = { level: flags["log-level"] };
    if (flags["state-sync"]) layer.stateSync = { enabled: true };
    const home = resolve(flags.home);
    // Container entrypoint mode (issue 20): the home lives on a data volume and is made from secrets.
    if (flags["init-from-dir"] || flags["init-from-env"]) {
      const src = flags["init-from-dir"]
        ? readInitDir(
            flags["init-from-dir"].map((x) => resolve(x)),
            parseInitIndex(flags["init-index"]),
          )
        : readInitEnv(process.env);
      const r = initHomeFromSource(home, src);
      process.stderr.write(
        `node home ${home} ${r.created ? "initialised" : "kept"} from ${src.origin} (genesis ${r.genesisHash.slice(0, 18)}…, ${r.validator ? `validator ${r.validator}` : "full node"})\n`,
      );
    }
    assertNodeHome(home);
    const node = await createNode(home, { env: process.env, flags: layer });
    guardProcess(node.log);
    this.emit({ api: node.apiUrl, p2p: node.p2pUrl, nodeId: node.nodeId }, (r) =>
      process.stderr.write(`fastpos node running: API ${r.api}, p2p ${r.p2p}, node id ${r.nodeId}\n`),
    );
    await new Promise<void>((done) => {
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        process.stderr.write(`received ${signal}, stopping…\n`);
        const force = setTimeout(() => process.exit(1), 10_000);
        force.unref();
        node.stop().then(done, done);
      };
      process.once("SIGINT", () => stop("SIGINT"));
      process.once("SIGTERM", () => stop("SIGTERM"));
    });
  }
}
