import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { passwordFlag } from "../../cli/flags.js";
import { keystoreFor } from "../../cli/home.js";
import { createDefaultGenesis, deriveDevValidators, genesisToJson } from "../../core/chain/genesis.js";
import { toHex } from "../../core/codec/index.js";
import { addressFromPublicKey } from "../../core/crypto/index.js";
import { loadKeypair } from "../../keystore/keys-service.js";
import type { ConfigLayer } from "../../node/config.js";
import { initNodeHome } from "../../node/home.js";
import { initHomeFromSource } from "../../node/init-home.js";
import { INIT_ENV, parseInitIndex, readInitDir, readInitEnv } from "../../node/init-source.js";

export default class NodeInit extends BaseCommand {
  static override summary = "Create a node home: config.yaml, node identity key, admin token, genesis.";
  static override description =
    "The validator consensus key comes from a keystore key (--validator-key NAME, derived on the consensus path) " +
    "or, for the default dev genesis, from the public dev mnemonic (--dev-validator I). Without either the node is " +
    "a full node that follows the chain without voting. With --from-dir DIR (files genesis.json, config.yaml, " +
    "validator-key.json, node-key.json, admin-token, e.g. mounted secrets) or --from-env (" +
    `${Object.values(INIT_ENV).join(", ")}) the home is made from configuration and secrets alone; running it again ` +
    "keeps keys and data and refuses a different genesis or key.";
  static override examples = [
    "<%= config.bin %> node init --home ./node0 --dev-validator 0",
    "<%= config.bin %> node init --home ./node1 --genesis genesis.json --validator-key val1 --peer ws://127.0.0.1:26656",
    "<%= config.bin %> node init --home ./full --genesis genesis.json --json",
    "<%= config.bin %> node init --home /var/lib/fastpos --from-dir /run/secrets",
    'FASTPOS_INIT_GENESIS="$(cat genesis.json)" <%= config.bin %> node init --home ./n --from-env',
  ];
  static override flags = {
    home: Flags.string({ description: "Node home directory to create", required: true }),
    "keys-home": Flags.string({
      description: "fastpos home holding the keystore [default: $FASTPOS_HOME or ~/.fastpos]",
    }),
    genesis: Flags.string({ description: "Genesis file to copy [default: the deterministic dev genesis]" }),
    "validator-key": Flags.string({
      description: "Keystore key whose consensus key this node signs with",
      exclusive: ["dev-validator"],
    }),
    "dev-validator": Flags.integer({
      description: "Use dev validator I's consensus key (default dev genesis only)",
      min: 0,
    }),
    moniker: Flags.string({ description: "Node name [default: node]" }),
    "p2p-listen": Flags.string({ description: "p2p HOST:PORT [default: 127.0.0.1:26656]" }),
    "api-listen": Flags.string({ description: "API HOST:PORT [default: 127.0.0.1:26660]" }),
    peer: Flags.string({ description: "Static peer ws:// URL (repeatable)", multiple: true }),
    force: Flags.boolean({
      description: "Rewrite config and genesis of an existing home (keys and data are kept)",
    }),
    password: passwordFlag,
    "from-dir": Flags.string({
      description: "Make the home from the files in DIR (mounted secrets / ConfigMap)",
      exclusive: ["from-env", "genesis", "validator-key", "dev-validator"],
    }),
    "from-env": Flags.boolean({
      description: "Make the home from FASTPOS_INIT_* environment variables",
      exclusive: ["genesis", "validator-key", "dev-validator"],
    }),
    "init-index": Flags.string({
      description: "With --from-dir: prefer N.<file> (N, or `hostname` for a pod NAME-N)",
      dependsOn: ["from-dir"],
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(NodeInit);
    const home = resolve(flags.home);
    if (flags["from-dir"] || flags["from-env"]) {
      const src = flags["from-dir"]
        ? readInitDir(resolve(flags["from-dir"]), parseInitIndex(flags["init-index"]))
        : readInitEnv(process.env);
      const r = initHomeFromSource(home, src);
      this.emit({ ...r, source: src.origin }, (o) => {
        this.log(`${o.created ? "Initialised" : "Kept"} node home ${o.home} from ${o.source}`);
        this.log(`  validator: ${o.validator ?? "none (full node)"}`);
        this.log(`Start it with: fastpos node start --home ${flags.home}`);
      });
      return;
    }
    let genesisFile = flags.genesis;
    let tmp: string | undefined;
    if (!genesisFile) {
      tmp = mkdtempSync(join(tmpdir(), "fastpos-genesis-"));
      genesisFile = join(tmp, "genesis.json");
      writeFileSync(genesisFile, genesisToJson(createDefaultGenesis()));
    } else if (!existsSync(genesisFile)) {
      throw new UserError("FILE_NOT_FOUND", `${genesisFile}: no such file`, {
        hint: "create one with `fastpos genesis new --out genesis.json`",
      });
    }
    let validatorSecretKey: Uint8Array | undefined;
    if (flags["validator-key"]) {
      const kp = await loadKeypair(keystoreFor(flags["keys-home"]), flags["validator-key"], {
        password: flags.password,
        purpose: "consensus",
      });
      validatorSecretKey = kp.secretKey;
    } else if (flags["dev-validator"] !== undefined) {
      const dev = deriveDevValidators(flags["dev-validator"] + 1).secrets[flags["dev-validator"]];
      validatorSecretKey = dev?.consensusKey;
    }
    const config: ConfigLayer = {};
    if (flags.moniker) config.moniker = flags.moniker;
    if (flags["p2p-listen"] || flags.peer)
      config.p2p = {
        ...(flags["p2p-listen"] ? { listen: flags["p2p-listen"] } : {}),
        ...(flags.peer ? { peers: flags.peer } : {}),
      };
    if (flags["api-listen"]) config.api = { listen: flags["api-listen"] };
    try {
      const r = initNodeHome({ home, genesisFile, validatorSecretKey, config, force: flags.force });
      this.emit(
        {
          home,
          nodeId: toHex(r.nodeKey.publicKey),
          validator: r.validator
            ? {
                address: addressFromPublicKey(r.validator.publicKey),
                publicKey: toHex(r.validator.publicKey),
              }
            : null,
          p2p: r.config.p2p.listen,
          api: r.config.api.listen,
        },
        (out) => {
          this.log(`Initialised node home ${out.home}`);
          this.log(`  validator: ${out.validator ? out.validator.address : "none (full node)"}`);
          this.log(`  p2p ${out.p2p}, API http://${out.api}`);
          this.log(`Start it with: fastpos node start --home ${flags.home}`);
        },
      );
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    }
  }
}
