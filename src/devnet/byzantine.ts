/**
 * `fastpos devnet byzantine NODE` (issue 15): turns one devnet validator into a byzantine one — or back —
 * by setting `unsafe.enabled` and `unsafe.byzantine` in its config.yaml and restarting it. The node itself
 * refuses the mode off a devnet chain (node/byzantine.ts); this refuses it earlier with the same rule.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";
import { type EquivocateKind, isDevnetChainId } from "../node/byzantine.js";
import { configToYaml, readConfigFile } from "../node/config.js";
import { controlNode } from "./control.js";
import type { NodeProvider } from "./providers/types.js";
import { DevnetError, type DevnetFile, findNode } from "./state.js";

export const EQUIVOCATE_KINDS: readonly EquivocateKind[] = ["prevote", "precommit", "proposal"];

/** What `setByzantine` did. */
export interface ByzantineResult {
  node: string;
  /** The kind it now equivocates on, or null (honest again). */
  equivocate: EquivocateKind | null;
  /** Each half of its peers gets a different one of the two messages (targeted equivocation). */
  split: boolean;
  result: string;
  pid: number | null;
}

/**
 * Sets (or with `equivocate: null` clears) byzantine mode on one node and restarts it.
 * @throws DevnetError DEVNET_BAD_OPTION without `unsafe`, or on a chain id that is not a devnet's;
 *   DEVNET_UNKNOWN_NODE
 */
export async function setByzantine(
  home: string,
  d: DevnetFile,
  nodeName: string,
  o: { equivocate: EquivocateKind | null; unsafe: boolean; split?: boolean },
  provider?: NodeProvider,
): Promise<ByzantineResult> {
  const n = findNode(d, nodeName);
  if (o.equivocate && !o.unsafe) {
    throw new DevnetError(
      {
        code: "DEVNET_BAD_OPTION",
        option: "--unsafe",
        hint: "add --unsafe: this node will be slashed and tombstoned",
      },
      "byzantine mode needs --unsafe",
    );
  }
  if (o.equivocate && !isDevnetChainId(d.chainId)) {
    throw new DevnetError(
      {
        code: "DEVNET_BAD_OPTION",
        option: "--equivocate",
        hint: "byzantine mode runs only on chain ids fastpos-<name>",
      },
      `refusing byzantine mode on chain ${d.chainId}, which is not a devnet's`,
    );
  }
  const file = join(n.home, "config.yaml");
  const layer = existsSync(file) ? readConfigFile(file) : {};
  if (o.equivocate)
    layer.unsafe = { enabled: true, byzantine: { equivocate: o.equivocate, split: o.split ?? false } };
  else delete layer.unsafe;
  writeFileAtomicSync(
    file,
    `# fastpos node config; see templates/config.yaml for every key\n${configToYaml(layer)}`,
  );
  const r = await controlNode(home, d, n.name, "restart", provider);
  return {
    node: n.name,
    equivocate: o.equivocate,
    split: !!(o.equivocate && o.split),
    result: r.result,
    pid: r.pid,
  };
}
