import { createClient } from "../client/client.js";
import { resolveHome } from "../keystore/home.js";
import { type LoadedKeypair, loadKeypair } from "../keystore/keys-service.js";
import { createKeystore } from "../keystore/keystore.js";
import { devnetDir, pickDevnet } from "./state.js";

/**
 * SDK entry for scripts and tests against a local devnet (issue 19 item 10), the library twin of
 * `--devnet NAME`: a client on a running node and the devnet's funded signers (alice, bob, …), e.g.
 *   const { client, signers } = await connectDevnet();
 *   await client.send({ secretKey: signers.alice.secretKey, payload: { type: "transfer", value: … } });
 * `name` defaults like the CLI (FASTPOS_DEVNET, else the only running devnet); `home` like --home.
 */
export async function connectDevnet(
  name?: string,
  opts: { home?: string; timeoutMs?: number } = {},
): Promise<{
  name: string;
  chainId: string;
  client: ReturnType<typeof createClient>;
  signers: Record<string, LoadedKeypair>;
  nodes: { name: string; apiUrl: string }[];
}> {
  const home = resolveHome(opts.home);
  const d = pickDevnet(home, name);
  const node = d.nodes.find((n) => n.pid !== null || n.container) ?? d.nodes[0];
  const client = createClient({
    url: (node as { apiUrl: string }).apiUrl,
    timeoutMs: opts.timeoutMs ?? 10_000,
  });
  const ks = createKeystore(devnetDir(home, d.name));
  const signers: Record<string, LoadedKeypair> = {};
  for (const r of await ks.list()) if (r.kind === "account") signers[r.name] = await loadKeypair(ks, r.name);
  return {
    name: d.name,
    chainId: d.chainId,
    client,
    signers,
    nodes: d.nodes.map((n) => ({ name: n.name, apiUrl: n.apiUrl })),
  };
}
