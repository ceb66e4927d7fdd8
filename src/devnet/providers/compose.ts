import type Docker from "dockerode";
import { execa } from "execa";
import { DevnetError, type DevnetFile, type DevnetNode } from "../state.js";
import { createDockerProvider } from "./docker.js";
import type { NodeProvider } from "./types.js";

/** Where an exported compose devnet lives (devnet.json `compose`). */
export interface ComposeSettings {
  /** The export directory holding docker-compose.yml. */
  dir: string;
  project: string;
  image: string;
}

/** docker-compose v1 (Debian's package) or the `docker compose` plugin, whichever answers. */
async function composeCommand(): Promise<string[]> {
  for (const cmd of [["docker-compose"], ["docker", "compose"]]) {
    const r = await execa(cmd[0] as string, [...cmd.slice(1), "version"], { reject: false });
    if (r.exitCode === 0) return cmd;
  }
  throw new DevnetError(
    {
      code: "ENGINE_UNREACHABLE",
      engine: "docker-compose",
      reason: "not installed",
      hint: "install it (Debian/Ubuntu: apt-get install docker-compose)",
    },
    "neither docker-compose nor `docker compose` is installed; install one (Debian/Ubuntu: apt-get install docker-compose)",
  );
}

/** Runs docker-compose in the export directory; a failure is one line with its last output line. */
export async function runCompose(s: ComposeSettings, args: string[]): Promise<string> {
  const [file, ...pre] = (await composeCommand()) as [string, ...string[]];
  const r = await execa(file, [...pre, "-p", s.project, ...args], { cwd: s.dir, reject: false, all: true });
  if (r.exitCode !== 0) {
    const last =
      String(r.all ?? "")
        .trim()
        .split("\n")
        .slice(-1)[0] ?? "";
    throw new DevnetError(
      { code: "DEVNET_START_FAILED", node: s.project, reason: last },
      `docker-compose ${args.join(" ")} failed in ${s.dir}: ${last}`,
    );
  }
  return String(r.all ?? "");
}

/**
 * The `compose` provider (issue 20 item 2): a devnet exported with `devnet export --format compose` and
 * run by docker-compose. Containers have fixed names (`container_name`), so status, stop, start, kill,
 * pause, resume and logs are the docker provider's engine calls; a container that does not exist yet is
 * created by `docker-compose up --no-start SERVICE`, and `down` is `docker-compose down -v` (without `-v`
 * under `--keep-data`).
 */
export function createComposeProvider(docker: Docker, s: ComposeSettings): NodeProvider {
  return createDockerProvider(
    docker,
    { image: s.image, network: "bridge" },
    {
      kind: "compose",
      containerName: (_d, n) => `${s.project}-${n.name}`,
      async create(_d: DevnetFile, n: DevnetNode) {
        await runCompose(s, ["up", "--no-start", n.name]);
      },
      async teardown(d: DevnetFile, opts?: { keepData?: boolean }) {
        const running = await Promise.all(
          d.nodes.map(async (n) => {
            const st = await docker
              .getContainer(n.container ?? `${s.project}-${n.name}`)
              .inspect()
              .then(
                (i) => i.State.Running,
                () => false,
              );
            return st ? n.name : null;
          }),
        );
        // --keep-data keeps the named volumes: `devnet start NODE` (docker-compose up) resumes the chain.
        await runCompose(s, ["down", ...(opts?.keepData ? [] : ["-v"]), "--remove-orphans", "-t", "8"]);
        for (const n of d.nodes) n.pid = null;
        return running.filter((x): x is string => x !== null).sort();
      },
    },
  );
}
