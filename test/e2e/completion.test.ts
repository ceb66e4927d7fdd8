import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, tempDir } from "../helpers/cli.js";

/**
 * Shell completion (issue 19 item 10) through @oclif/plugin-autocomplete: the generated bash function is
 * sourced in a real bash and asked to complete, as the shell does on Tab.
 */
describe("shell completion", () => {
  let cache: string;
  let cleanup: () => void;
  beforeAll(() => {
    ({ dir: cache, cleanup } = tempDir());
  });
  afterAll(() => cleanup());

  const complete = (line: string) => {
    const words = line.split(" ");
    const script = [
      `source ${JSON.stringify(join(cache, "fastpos", "autocomplete", "functions", "bash", "fastpos.bash"))}`,
      `COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'`,
      "_fastpos_autocomplete",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a JS template
      'echo "${COMPREPLY[@]}"',
    ].join("\n");
    return spawnSync("bash", ["-c", script], { encoding: "utf8" }).stdout.trim().split(/\s+/);
  };

  it("completes commands and flags in bash", async () => {
    const r = await runCli(["autocomplete", "bash", "--refresh-cache"], { env: { XDG_CACHE_HOME: cache } });
    expect(r.code, r.stderr).toBe(0);
    expect(complete("fastpos tx tr")).toEqual(["transfer"]);
    expect(complete("fastpos devnet up --block")).toEqual(["--block-time"]);
    expect(complete("fastpos devnet par")).toContain("partition");
  }, 60_000);
});
