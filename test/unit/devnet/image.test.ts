import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  APP_ROOT,
  contentHash,
  importChanges,
  planRootfs,
  productionPackages,
  sharedLibraries,
} from "../../../src/devnet/image.js";
import { LogDemuxer } from "../../../src/devnet/providers/docker.js";

/** The offline image's contents, planned from this checkout's real node_modules and node binary. */
describe("offline image build plan", () => {
  it("takes the production dependency closure only", () => {
    const dirs = productionPackages();
    const names = dirs.map((p) => p.slice(p.lastIndexOf("node_modules/") + 13));
    for (const dep of ["level", "ws", "@oclif/core", "pino", "dockerode", "classic-level"]) {
      expect(names).toContain(dep);
    }
    for (const dev of ["typescript", "vitest", "@biomejs/biome", "tsx", "fast-check"]) {
      expect(names).not.toContain(dev);
    }
    // Each installed copy once (a package may be installed at several versions, nested).
    expect(new Set(dirs).size).toBe(dirs.length);
  });

  it.runIf(process.platform === "linux")("lists node's shared libraries, the dynamic loader included", () => {
    const libs = sharedLibraries(process.execPath);
    expect(libs.some((l) => /\/libc\.so/.test(l))).toBe(true);
    expect(libs.some((l) => /ld-linux/.test(l))).toBe(true);
    for (const l of libs) expect(existsSync(l)).toBe(true);
  });

  it.runIf(process.platform === "linux" && existsSync(`${APP_ROOT}dist/commands`))(
    "plans a rootfs with node, its libraries, the app and a world-writable /tmp, parents first",
    () => {
      const plan = planRootfs();
      const byDest = new Map(plan.entries.map((e) => [e.dest, e]));
      expect(byDest.size).toBe(plan.entries.length);
      expect(byDest.get("usr/local/bin/node")).toMatchObject({ type: "file", mode: 0o755 });
      expect(byDest.get("app/bin/run.js")?.type).toBe("file");
      expect(byDest.get("app/package.json")?.type).toBe("file");
      expect([...byDest.keys()].some((d) => d.startsWith("app/dist/commands/devnet/"))).toBe(true);
      expect([...byDest.keys()].some((d) => d.startsWith("app/node_modules/typescript/"))).toBe(false);
      expect(byDest.get("tmp")).toMatchObject({ type: "directory", mode: 0o1777 });
      for (const l of sharedLibraries(process.execPath)) expect(byDest.get(l.slice(1))?.type).toBe("file");
      // Every entry's parent directory comes before it (tar order).
      const seen = new Set<string>();
      for (const e of plan.entries) {
        const parent = e.dest.includes("/") ? e.dest.slice(0, e.dest.lastIndexOf("/")) : "";
        if (parent) expect(seen.has(parent), e.dest).toBe(true);
        seen.add(e.dest);
      }
      expect(plan.bytes).toBeGreaterThan(50e6);
    },
  );

  it("hashes the content deterministically and labels the image with it", () => {
    if (!existsSync(`${APP_ROOT}dist`)) return;
    const h = contentHash();
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(contentHash()).toBe(h);
    const changes = importChanges(h);
    expect(changes).toContain(`LABEL org.fastpos.content=${h}`);
    expect(changes[0]).toBe('ENTRYPOINT ["/usr/local/bin/node", "/app/bin/run.js"]');
  });
});

describe("engine log demultiplexer", () => {
  const frame = (type: number, text: string) => {
    const body = Buffer.from(text);
    const head = Buffer.alloc(8);
    head[0] = type;
    head.writeUInt32BE(body.length, 4);
    return Buffer.concat([head, body]);
  };

  it("splits stdout/stderr frames into lines, across chunk boundaries", () => {
    const lines: string[] = [];
    const d = new LogDemuxer((l) => lines.push(l));
    const all = Buffer.concat([frame(1, '{"a":1}\n{"b"'), frame(2, ":2}\n"), frame(1, "tail")]);
    for (let i = 0; i < all.length; i += 3) d.push(all.subarray(i, i + 3));
    d.end();
    expect(lines).toEqual(['{"a":1}', '{"b":2}', "tail"]);
  });

  it("passes raw text through (containers with a TTY are not multiplexed)", () => {
    const lines: string[] = [];
    const d = new LogDemuxer((l) => lines.push(l));
    d.push(Buffer.from("hello\nworld\n"));
    d.end();
    expect(lines).toEqual(["hello", "world"]);
  });
});
