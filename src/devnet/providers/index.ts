import type { DevnetFile } from "../state.js";
import { processProvider } from "./process.js";
import type { NodeProvider } from "./types.js";

export type { NodeProvider, ProviderKind } from "./types.js";

/**
 * The provider a devnet was created with (devnet.json `provider`). The docker provider connects to the
 * engine first, so a missing engine is one clear error (exit 4) before anything changes; dockerode is
 * loaded only then, keeping process-provider commands fast.
 */
export async function providerFor(d: DevnetFile): Promise<NodeProvider> {
  if ((d.provider ?? "process") === "process") return processProvider;
  const { connectEngine, createDockerProvider } = await import("./docker.js");
  const docker = await connectEngine();
  if (d.provider === "compose") {
    if (!d.compose)
      throw new Error(`devnet.json of "${d.name}" says provider compose but has no compose settings`);
    const { createComposeProvider } = await import("./compose.js");
    return createComposeProvider(docker, d.compose);
  }
  if (d.provider === "swarm") {
    if (!d.swarm) throw new Error(`devnet.json of "${d.name}" says provider swarm but has no swarm settings`);
    const { createSwarmProvider } = await import("./swarm.js");
    return createSwarmProvider(docker, d.swarm);
  }
  if (!d.docker)
    throw new Error(`devnet.json of "${d.name}" says provider docker but has no docker settings`);
  return createDockerProvider(docker, d.docker);
}
