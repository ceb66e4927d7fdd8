import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getPublicKey, sign, verify } from "../../../src/core/crypto/index.js";
import { openSigner, SignerError } from "../../../src/node/signer.js";
import { tempDir } from "../../helpers/cli.js";

const sk = new Uint8Array(32).fill(7);
const pk = getPublicKey(sk);
const bytes = (s: string) => new TextEncoder().encode(s);

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof SignerError) return err.code;
    throw err;
  }
  return undefined;
}

describe("signer double-sign guard (real files)", () => {
  let dir: string;
  let cleanup: () => void;
  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(() => cleanup());

  it("signs increasing (height, round, step) and returns valid signatures", () => {
    const s = openSigner(dir, sk, pk);
    const a = s.sign(1n, 0, "proposal", bytes("p1"));
    const b = s.sign(1n, 0, "prevote", bytes("v1"));
    const c = s.sign(1n, 1, "prevote", bytes("v2"));
    const d = s.sign(2n, 0, "precommit", bytes("c"));
    expect(verify(pk, bytes("p1"), a)).toBe(true);
    expect(verify(pk, bytes("v1"), b)).toBe(true);
    expect(verify(pk, bytes("v2"), c)).toBe(true);
    expect(verify(pk, bytes("c"), d)).toBe(true);
    // The RFC 8032 signature: byte for byte what core's sign (@noble/ed25519) gives.
    expect(d).toEqual(sign(sk, bytes("c")));
    s.close();
  });

  it("refuses a secret key that does not match the public key", () => {
    expect(() => openSigner(dir, sk, getPublicKey(new Uint8Array(32).fill(9)))).toThrow(/does not match/);
  });

  it("refuses different bytes at the same HRS and returns the stored signature for identical bytes", () => {
    const s = openSigner(dir, sk, pk);
    const first = s.sign(5n, 2, "prevote", bytes("block-A"));
    expect(s.sign(5n, 2, "prevote", bytes("block-A"))).toEqual(first);
    expect(codeOf(() => s.sign(5n, 2, "prevote", bytes("block-B")))).toBe("SIGNER_CONFLICT");
    s.close();
  });

  it("refuses regressions in height, round or step", () => {
    const s = openSigner(dir, sk, pk);
    s.sign(5n, 2, "precommit", bytes("x"));
    expect(codeOf(() => s.sign(4n, 9, "precommit", bytes("y")))).toBe("SIGNER_REGRESSION");
    expect(codeOf(() => s.sign(5n, 1, "precommit", bytes("y")))).toBe("SIGNER_REGRESSION");
    expect(codeOf(() => s.sign(5n, 2, "prevote", bytes("y")))).toBe("SIGNER_REGRESSION");
    s.close();
  });

  it("remembers the last sign across a restart (the state is on disk before the signature is returned)", () => {
    const s1 = openSigner(dir, sk, pk);
    const sig = s1.sign(9n, 0, "prevote", bytes("A"));
    s1.close();
    const s2 = openSigner(dir, sk, pk);
    expect(s2.last()).toEqual({ height: 9n, round: 0, step: 2 });
    expect(codeOf(() => s2.sign(9n, 0, "prevote", bytes("B")))).toBe("SIGNER_CONFLICT");
    expect(s2.sign(9n, 0, "prevote", bytes("A"))).toEqual(sig);
    s2.close();
  });

  it("refuses to start on a corrupt state file", () => {
    writeFileSync(join(dir, "signer-state.json"), "{not json");
    expect(codeOf(() => openSigner(dir, sk, pk))).toBe("SIGNER_STATE_CORRUPT");
  });

  it("refuses to start on a state that would move the guard backwards (negative height, bad round)", () => {
    const s1 = openSigner(dir, sk, pk);
    s1.sign(9n, 0, "prevote", bytes("A"));
    s1.close();
    const file = join(dir, "signer-state.json");
    const good = JSON.parse(readFileSync(file, "utf8"));
    for (const bad of [{ height: "-1" }, { round: 1.5 }, { round: -1 }, { step: 7 }, { signature: "0x" }]) {
      writeFileSync(file, JSON.stringify({ ...good, ...bad }));
      expect(
        codeOf(() => openSigner(dir, sk, pk)),
        JSON.stringify(bad),
      ).toBe("SIGNER_STATE_CORRUPT");
    }
  });

  it("holds a lock: a second signer in this process or in another live process is refused", async () => {
    const s = openSigner(dir, sk, pk);
    expect(codeOf(() => openSigner(dir, sk, pk))).toBe("SIGNER_LOCKED");
    s.close();
    // Another live process holding the lock.
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(dir, "signer.lock"), String(child.pid));
      expect(codeOf(() => openSigner(dir, sk, pk))).toBe("SIGNER_LOCKED");
    } finally {
      child.kill("SIGKILL");
    }
    await new Promise((r) => child.once("exit", r));
    // Now the lock is stale (its process is gone): it is taken over.
    const again = openSigner(dir, sk, pk);
    again.sign(1n, 0, "prevote", bytes("ok"));
    again.close();
  });

  it.runIf(existsSync("/proc/self/stat"))(
    "sees through pid reuse after a container restart: same pid, other start time, or one of our own threads",
    async () => {
      const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)"], { stdio: "ignore" });
      try {
        await new Promise((r) => setTimeout(r, 100));
        const stat = readFileSync(`/proc/${child.pid}/stat`, "utf8");
        const start = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
        // The real holder (pid and start time match): refused.
        writeFileSync(join(dir, "signer.lock"), `${child.pid} ${start}`);
        expect(codeOf(() => openSigner(dir, sk, pk))).toBe("SIGNER_LOCKED");
        // A live pid that started at another time is not the process that wrote the lock.
        writeFileSync(join(dir, "signer.lock"), `${child.pid} 1`);
        openSigner(dir, sk, pk).close();
      } finally {
        child.kill("SIGKILL");
      }
      // A lock naming a zombie: a killed node its parent has not reaped yet runs no code and signs nothing
      // (`devnet kill` then `devnet start` at once). `sleep 30` never reaps the child that sh forked before
      // exec'ing it; that child outlives the exec (a `true` could exit first and be reaped by sh itself).
      const parent = spawn("sh", ["-c", "sleep 0.3 & echo $!; exec sleep 30"], {
        stdio: ["ignore", "pipe", "ignore"],
      });
      try {
        const zpid = Number(
          await new Promise<string>((r) => parent.stdout.once("data", (d) => r(String(d)))),
        );
        const fields = () => {
          const st = readFileSync(`/proc/${zpid}/stat`, "utf8");
          return st.slice(st.lastIndexOf(")") + 2).split(" ");
        };
        for (let i = 0; i < 500 && fields()[0] !== "Z"; i++) await new Promise((r) => setTimeout(r, 20));
        expect(fields()[0]).toBe("Z");
        writeFileSync(join(dir, "signer.lock"), `${zpid} ${fields()[19]}`);
        openSigner(dir, sk, pk).close();
      } finally {
        parent.kill("SIGKILL");
      }
      // A lock naming one of our own threads (a restarted container reuses low pids for them).
      const tid = readdirSync("/proc/self/task").find((t) => Number(t) !== process.pid);
      expect(tid).toBeDefined();
      writeFileSync(join(dir, "signer.lock"), String(tid));
      openSigner(dir, sk, pk).close();
    },
  );
});
