import { resolve } from "node:path";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { runNodeForeground } from "../../cli/node-runner.js";
import type { ConfigLayer } from "../../node/config.js";
import { assertNodeHome } from "../../node/home.js";
import { initHomeFromSource } from "../../node/init-home.js";
import { parseInitIndex, readInitDir, readInitEnv } from "../../node/init-source.js";

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
    // NOTE: bin/run.js runs a plain `node start --home DIR [--json]` without oclif (cli/fast-node-start.ts),
    // through the same runner.
    await runNodeForeground(home, { layer, json: this.jsonMode });
  }
}
