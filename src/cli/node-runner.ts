import type { ConfigLayer } from "../node/config.js";
import { createNode } from "../node/create-node.js";
import { formatJson } from "./json.js";

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

/**
 * Runs the node of `home` in the foreground (`fastpos node start`): starts it, guards the process, says
 * where it listens (one JSON line on stdout with `json`, else a line on stderr) and resolves once a
 * SIGINT/SIGTERM stopped it cleanly (exit 1 if that takes over 10 s). Shared by the command and by
 * bin/run.js's fast path (cli/fast-node-start.ts).
 * @throws whatever createNode throws (typed errors for a bad home, config or port)
 */
export async function runNodeForeground(home: string, opts: { layer: ConfigLayer; json: boolean }) {
  const node = await createNode(home, { env: process.env, flags: opts.layer });
  guardProcess(node.log);
  const r = { api: node.apiUrl, p2p: node.p2pUrl, nodeId: node.nodeId };
  if (opts.json) process.stdout.write(`${formatJson(r)}\n`);
  else process.stderr.write(`fastpos node running: API ${r.api}, p2p ${r.p2p}, node id ${r.nodeId}\n`);
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
