#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/ (npm run build).
// PERF (issue 22 item 4): the version and the plain `node start --home DIR` a devnet spawns are run without
// loading oclif (src/cli/fast-version.ts, src/cli/fast-node-start.ts); everything else imports the two
// oclif entry points this file needs, not oclif's whole index. The node runs from one bundled file
// (dist/bundle/node-start.js, `npm run build:bundle`): loading ≈300 modules one by one took ≈0.5 s of CPU
// per node, and a devnet starts all its nodes at once.
import { fastVersionReply } from "../dist/cli/fast-version.js";

const argv = process.argv.slice(2);
const version = fastVersionReply(argv, new URL("../package.json", import.meta.url));
const nodeStart = version === null && argv[0] === "node" && argv[1] === "start";
const fast = nodeStart ? await import("../dist/bundle/node-start.js") : undefined;
const plain = fast?.plainNodeStart(argv) ?? null;
if (version !== null) {
  process.stdout.write(version);
} else if (fast && plain) {
  await fast.fastNodeStart(plain);
} else {
  const [{ execute }, { settings }] = await Promise.all([
    import("@oclif/core/execute"),
    import("@oclif/core/settings"),
  ]);
  // Always the compiled code, whatever NODE_ENV says (tests run with NODE_ENV=test).
  settings.enableAutoTranspile = false;
  await execute({ dir: import.meta.url });
}
