import Docker from "dockerode";

/**
 * The Docker engine the docker-provider tests run against (DOCKER_HOST respected), or undefined when none
 * answers. Locally that skips those tests with a visible message; in CI (CI=true) a missing engine is a
 * failure, because `.ci/run` starts dockerd.
 */
export async function reachableEngine(): Promise<Docker | undefined> {
  const docker = new Docker();
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 3_000)),
    ]);
    return docker;
  } catch {
    return undefined;
  }
}

export const inCI = process.env.CI === "true" || process.env.CI === "1";

export const NO_ENGINE_MESSAGE = `no Docker engine answers at ${process.env.DOCKER_HOST ?? "unix:///var/run/docker.sock"}: docker-provider tests skipped (start one with \`sudo dockerd &\`; in CI they fail instead)`;

/** Every container, network and volume of a devnet state dir, through the engine's API. */
export async function resourcesOf(docker: Docker, dir: string) {
  const filters = { label: [`org.fastpos.dir=${dir}`] };
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters }),
    docker.listNetworks({ filters }),
    docker.listVolumes({ filters }),
  ]);
  return { containers, networks, volumes: volumes.Volumes ?? [] };
}
