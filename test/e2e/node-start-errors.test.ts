import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, runCli, tempDir } from "../helpers/cli.js";

/**
 * Issue 24 item 9: operator mistakes at `fastpos node start` are not fastpos bugs. Each case runs the real
 * CLI in a child process and expects exit 1 with one `Error:` line naming the cause and a `Hint:` line —
 * not exit 2, "this is a fastpos bug" and a stack, as before. Item 10's key-file modes and the WAL loss
 * report ride along: they need the same real homes and processes.
 */
describe("fastpos node start: operator errors", () => {
  let dir: string;
  let cleanup: () => void;
  let base: string;
  const running: ChildProcess[] = [];
  let n = 0;

  beforeAll(async () => {
    ({ dir, cleanup } = tempDir());
    base = join(dir, "base");
    const r = await runCli(
      [
        "node",
        "init",
        "--home",
        base,
        "--dev-validator",
        "0",
        "--p2p-listen",
        "127.0.0.1:0",
        "--api-listen",
        "127.0.0.1:0",
      ],
      { home: dir },
    );
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(() => {
    for (const p of running) p.kill("SIGKILL");
    cleanup();
  });

  /** A fresh copy of the initialised home. */
  const home = () => {
    const h = join(dir, `h${n++}`);
    cpSync(base, h, { recursive: true });
    return h;
  };

  /** `node start` that must fail as an operator error; returns its stderr. */
  async function startFails(h: string, extra: string[] = []): Promise<string> {
    const r = await runCli(["node", "start", "--home", h, ...extra], { home: dir, timeout: 60_000 });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/fastpos bug|\n\s+at /);
    const lines = r.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^Error: /);
    expect(lines.at(-1)).toMatch(/^Hint: /);
    return r.stderr;
  }

  /** Starts a node that must come up; resolves with its process once it printed its endpoints. */
  function startNode(h: string): Promise<ChildProcess> {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [BIN, "node", "start", "--home", h, "--json"], {
        env: { ...process.env, OCLIF_SKIP_NEW_VERSION_CHECK: "true", FASTPOS_LOG_STDERR: "false" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      running.push(p);
      let out = "";
      let err = "";
      p.stdout?.on("data", (c) => {
        out += c;
        if (out.includes('"api"')) resolve(p);
      });
      p.stderr?.on("data", (c) => {
        err += c;
      });
      p.on("exit", (code) => reject(new Error(`node exited ${code}: ${err}`)));
    });
  }
  const stop = (p: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (p.exitCode !== null) return resolve();
      p.once("exit", () => resolve());
      p.kill("SIGTERM");
    });

  it("a missing home: says so, creates nothing", async () => {
    const h = join(dir, "nowhere");
    expect(await startFails(h)).toMatch(/Error: no node home at .*nowhere\nHint: .*fastpos node init --home/);
    expect(existsSync(h)).toBe(false);
  });

  it("a missing or invalid genesis.json", async () => {
    const h = home();
    const genesis = join(h, "genesis.json");
    const text = readFileSync(genesis, "utf8");
    writeFileSync(genesis, "");
    expect(await startFails(h)).toMatch(/Error: genesis file .*genesis\.json is not valid JSON/);
    writeFileSync(genesis, JSON.stringify({ ...JSON.parse(text), chainId: 5 }));
    expect(await startFails(h)).toMatch(/Error: genesis file .*: invalid genesis: chainId/);
    rmSync(genesis);
    expect(await startFails(h)).toMatch(
      /Error: genesis file .*genesis\.json not found\nHint: put the network's genesis/,
    );
  }, 90_000);

  it("a corrupt config.yaml names the file and the key", async () => {
    const h = home();
    writeFileSync(join(h, "config.yaml"), "api: [\n");
    expect(await startFails(h)).toMatch(
      /Error: .*config\.yaml: not valid YAML.*\nHint: .*templates\/config\.yaml/,
    );
    writeFileSync(join(h, "config.yaml"), "api:\n  listen: 5\n");
    expect(await startFails(h)).toMatch(/Error: invalid config .*api\.listen/);
  }, 90_000);

  describe("listeners", () => {
    let busy: Server;
    let port: number;
    beforeAll(async () => {
      busy = createServer();
      await new Promise<void>((r) => busy.listen(0, "127.0.0.1", () => r()));
      port = (busy.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((r) => busy.close(() => r())));

    it("an API or p2p port already in use", async () => {
      const h = home();
      expect(await startFails(h, ["--api-listen", `127.0.0.1:${port}`])).toMatch(
        new RegExp(
          `Error: cannot listen on 127\\.0\\.0\\.1:${port} \\(API\\): the port is already in use\\nHint: .*--api-listen`,
        ),
      );
      expect(await startFails(h, ["--p2p-listen", `127.0.0.1:${port}`])).toMatch(
        new RegExp(
          `Error: cannot listen on 127\\.0\\.0\\.1:${port} \\(p2p\\): the port is already in use\\nHint: .*--p2p-listen`,
        ),
      );
    }, 90_000);

    it("a listen host that is not an address of this machine", async () => {
      const h = home();
      expect(await startFails(h, ["--api-listen", "10.255.255.1:26660"])).toMatch(
        /Error: cannot listen on 10\.255\.255\.1:26660 \(API\): "10\.255\.255\.1" is not an address of this machine/,
      );
      expect(await startFails(h, ["--p2p-listen", "10.255.255.1:26656"])).toMatch(
        /\(p2p\): "10\.255\.255\.1" is not an address/,
      );
    }, 90_000);
  });

  it("key files and the admin token readable by others are refused with the chmod that fixes them", async () => {
    // What `node init` writes: secrets private to their owner.
    for (const f of ["node-key.json", "validator-key.json", "admin-token"])
      expect((statSync(join(base, f)).mode & 0o777).toString(8), f).toBe("600");
    for (const [f, mode] of [
      ["validator-key.json", 0o644],
      ["node-key.json", 0o640],
      ["admin-token", 0o604],
    ] as const) {
      const h = home();
      chmodSync(join(h, f), mode);
      const err = await startFails(h);
      expect(err).toContain(`${join(h, f)} is accessible by group or others (mode 0${mode.toString(8)})`);
      expect(err).toContain(`Hint: make it private to its owner: chmod 600 ${join(h, f)}`);
    }
    // --json: the same error as a document, with its code and hint.
    const h = home();
    chmodSync(join(h, "node-key.json"), 0o644);
    const r = await runCli(["node", "start", "--home", h, "--json"], { home: dir });
    expect(r.code).toBe(1);
    expect(r.json().error).toMatchObject({
      code: "NODE_KEY_INSECURE",
      hint: expect.stringContaining("chmod 600"),
    });
  }, 90_000);

  it("a database in use names the process holding it; a damaged one shows LevelDB's reason", async () => {
    const h = home();
    const first = await startNode(h);
    const err = await startFails(h);
    expect(err).toContain(`is in use by another fastpos process (pid ${first.pid}?)`);
    expect(err).toMatch(/Hint: .*stop the node already running/);
    await stop(first);
    writeFileSync(join(h, "data", "db", "CURRENT"), "MANIFEST-999999\n");
    expect(await startFails(h)).toMatch(/Error: cannot open the database .*data\/db: .*MANIFEST-999999/);
  }, 60_000);

  it("logs loudly when a corrupt first WAL record drops the whole consensus WAL", async () => {
    const h = home();
    await stop(await startNode(h));
    const walFile = join(h, "data", "consensus.wal");
    const wal = readFileSync(walFile);
    expect(wal.length).toBeGreaterThan(8);
    wal.writeUInt8(wal.readUInt8(7) ^ 1, 7); // a bit of the first record's checksum
    writeFileSync(walFile, wal);
    const again = await startNode(h);
    const log = join(h, "logs", "node.log");
    const end = Date.now() + 30_000;
    let line: any;
    while (!line && Date.now() < end) {
      line = readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l))
        .find((l) => /WAL/.test(l.msg) && /WHOLE log/.test(l.msg));
      if (!line) await new Promise((d) => setTimeout(d, 100));
    }
    await stop(again);
    expect(line, "an error line about the dropped WAL").toBeDefined();
    expect(line).toMatchObject({
      level: 50,
      reason: "bad-checksum",
      offset: 0,
      keptRecords: 0,
      bytes: wal.length,
    });
  }, 60_000);
});
