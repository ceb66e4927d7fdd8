import { Args, Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { EXPORT_FORMATS, exportDevnet } from "../../devnet/export/write.js";
import { resolveHome } from "../../keystore/home.js";

export default class DevnetExport extends BaseCommand {
  static override summary = "Write a devnet as a docker-compose project or Kubernetes manifests.";
  static override description =
    "The export carries the devnet's chain (genesis, validator and node keys, admin tokens) and nothing of " +
    "this machine: each node makes its home from secrets on a named volume (`node start --init-from-dir`). " +
    "compose: docker-compose.yml + config and secret files; `docker-compose up -d` in --out runs the devnet, " +
    "and the devnet record NAME-compose (--as) attaches the CLI to its ports on 127.0.0.1 (tx, query, " +
    "watch, bench, devnet status|stop|start|kill|logs|down). k8s: StatefulSet, Services, ConfigMap, Secret " +
    "and PodDisruptionBudget (see docs/kubernetes.md). secrets/ and secret.yaml hold validator keys (0600).";
  static override examples = [
    "<%= config.bin %> devnet export local --format compose --out ./local-compose",
    "cd local-compose && docker-compose up -d && fastpos devnet wait --devnet local-compose --height 3",
    "<%= config.bin %> devnet export local --format k8s --out ./k8s --namespace fastpos",
  ];
  static override args = {
    name: Args.string({ description: "Devnet to export", required: true }),
  };
  static override flags = {
    format: Flags.string({
      description: `What to write: ${EXPORT_FORMATS.join(" or ")}`,
      required: true,
    }),
    out: Flags.string({ description: "Directory to write to [default: ./NAME-FORMAT]" }),
    image: Flags.string({ description: "Node image [default: the devnet's, else fastpos-node:VERSION]" }),
    as: Flags.string({
      description: "compose: name of the devnet record the CLI attaches with [default: NAME-compose]",
    }),
    namespace: Flags.string({ description: "k8s: namespace of every object [default: default]" }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(DevnetExport);
    const r = await exportDevnet(resolveHome(flags.home), args.name, {
      format: flags.format,
      out: flags.out,
      image: flags.image,
      as: flags.as,
      namespace: flags.namespace,
    });
    this.emit(r, (o) => {
      this.log(`Exported devnet "${o.name}" as ${o.format} to ${o.out} (${o.files.length} files)`);
      if (o.format === "compose") {
        this.log(`  run it:    cd ${o.out} && docker-compose up -d`);
        this.log(`  attach:    fastpos devnet status --devnet ${o.record}`);
        for (const e of o.endpoints ?? []) this.log(`  ${e.name.padEnd(8)} ${e.apiUrl}`);
        this.log(`  tear down: fastpos devnet down --devnet ${o.record}`);
      } else {
        this.log(`  apply it:  kubectl apply -k ${o.out}   (docs/kubernetes.md)`);
      }
    });
  }
}
