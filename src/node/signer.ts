/**
 * The double-sign guard (DESIGN.md §4, like CometBFT's FilePV). Before any consensus signature leaves the
 * process, `{height, round, step, signBytes, signature}` is persisted with fsync + atomic rename. It refuses
 * to sign at an earlier (height, round, step) and refuses different bytes at the same one; for identical
 * bytes at the same HRS it returns the stored signature (safe re-broadcast after a crash). A lock file
 * stops two processes from using one key.
 */
import { createPublicKey, sign as cryptoSign, type KeyObject } from "node:crypto";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { bytesEqual, fromHex, toHex } from "../core/codec/index.js";
import { seedKeyObject } from "../core/crypto/index.js";
import { FastposError } from "../core/errors.js";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";

/** See the file header. */
export const SIGN_STEP = { proposal: 1, prevote: 2, precommit: 3 } as const;
export type SignStep = keyof typeof SIGN_STEP;

export type SignerErrorType =
  | { code: "SIGNER_REGRESSION"; last: string; requested: string }
  | { code: "SIGNER_CONFLICT"; at: string }
  | { code: "SIGNER_LOCKED"; lockFile: string; pid: number }
  | { code: "SIGNER_STATE_CORRUPT"; file: string; reason: string };
export class SignerError extends FastposError<SignerErrorType> {}

export interface LastSign {
  height: bigint;
  round: number;
  step: number;
  signBytes: Uint8Array;
  signature: Uint8Array;
}

function hrs(height: bigint, round: number, step: number): string {
  return `${height}/${round}/${step}`;
}

/**
 * PERF: the validator key as a node:crypto KeyObject: OpenSSL signs a vote in ~50 µs where @noble/ed25519
 * takes ~1 ms (and ~40 ms for its first signature). ed25519 signatures are deterministic (RFC 8032), so the
 * bytes are the same as core's `sign` (pinned by a test). Checks that the key matches `publicKey`.
 */
function signingKey(secretKey: Uint8Array, publicKey: Uint8Array): KeyObject {
  const key = seedKeyObject(secretKey);
  const pub = createPublicKey(key).export({ format: "der", type: "spki" }).subarray(-32);
  if (!bytesEqual(new Uint8Array(pub), publicKey)) {
    throw new Error("validator secret key does not match its public key");
  }
  return key;
}

/** Compares (h, r, s) lexicographically: negative if a < b. */
function compareHrs(a: { height: bigint; round: number; step: number }, b: typeof a): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  if (a.round !== b.round) return a.round - b.round;
  return a.step - b.step;
}

export interface Signer {
  readonly publicKey: Uint8Array;
  /** Signs `signBytes` for (height, round, step) or throws SignerError; never signs a conflicting message. */
  sign(height: bigint, round: number, step: SignStep, signBytes: Uint8Array): Uint8Array;
  /** The last persisted sign, for diagnostics. */
  last(): { height: bigint; round: number; step: number } | null;
  /** Releases the key lock. */
  close(): void;
}

/**
 * Opens the signer for a validator key whose state lives in `dir` (`<home>/data`).
 * @throws SignerError SIGNER_LOCKED when another live process holds the key, SIGNER_STATE_CORRUPT when the
 *   state file cannot be trusted (refusing to start is the only safe answer).
 */
export function openSigner(dir: string, secretKey: Uint8Array, publicKey: Uint8Array): Signer {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stateFile = join(dir, SIGNER_STATE_FILE);
  const lockFile = join(dir, "signer.lock");
  const key = signingKey(secretKey, publicKey);
  acquireLock(lockFile);
  const release = () => {
    heldLocks.delete(lockFile);
    try {
      unlinkSync(lockFile);
    } catch {}
  };
  let last: LastSign | null;
  try {
    last = readState(stateFile);
  } catch (err) {
    release(); // refusing to start must not leave the key locked
    throw err;
  }

  return {
    publicKey,
    last: () => (last ? { height: last.height, round: last.round, step: last.step } : null),
    sign(height, round, stepName, signBytes) {
      const step = SIGN_STEP[stepName];
      const next = { height, round, step };
      if (last) {
        const c = compareHrs(next, last);
        if (c < 0) {
          throw new SignerError(
            {
              code: "SIGNER_REGRESSION",
              last: hrs(last.height, last.round, last.step),
              requested: hrs(height, round, step),
            },
            `refusing to sign at ${hrs(height, round, step)}: already signed at ${hrs(last.height, last.round, last.step)}`,
          );
        }
        if (c === 0) {
          if (bytesEqual(signBytes, last.signBytes)) return last.signature;
          throw new SignerError(
            { code: "SIGNER_CONFLICT", at: hrs(height, round, step) },
            `refusing to sign different bytes at ${hrs(height, round, step)} (would be a double sign)`,
          );
        }
      }
      const signature = new Uint8Array(cryptoSign(null, signBytes, key));
      const state = { height, round, step, signBytes, signature };
      // SECURITY: persisted (fsync + rename) BEFORE the signature is returned to anyone.
      writeFileAtomicSync(
        stateFile,
        JSON.stringify({
          height: height.toString(),
          round,
          step,
          signBytes: toHex(signBytes),
          signature: toHex(signature),
        }),
      );
      last = state;
      return signature;
    },
    close: release,
  };
}

/** The signer state's file name in `<home>/data` (backups carry it; restores never move it backwards). */
export const SIGNER_STATE_FILE = "signer-state.json";

/**
 * The last (height, round, step) a signer state file records, or null when there is none.
 * @throws SignerError SIGNER_STATE_CORRUPT as `openSigner` would
 */
export function readSignerState(file: string): { height: bigint; round: number; step: number } | null {
  const s = readState(file);
  return s && { height: s.height, round: s.round, step: s.step };
}

/** Negative when signer position `a` is before `b` (height, then round, then step). */
export const compareSignerState = compareHrs;

function readState(file: string): LastSign | null {
  if (!existsSync(file)) return null;
  return parseState(file, readFileSync(file, "utf8"));
}

/**
 * The (height, round, step) of a signer state's text (e.g. one carried in a backup); `file` names it in
 * errors. @throws SignerError SIGNER_STATE_CORRUPT
 */
export function parseSignerState(
  file: string,
  text: string,
): { height: bigint; round: number; step: number } {
  const s = parseState(file, text);
  return { height: s.height, round: s.round, step: s.step };
}

function parseState(file: string, text: string): LastSign {
  try {
    const j = JSON.parse(text);
    const state = {
      height: BigInt(j.height),
      round: Number(j.round),
      step: Number(j.step),
      signBytes: fromHex(j.signBytes),
      signature: fromHex(j.signature, 64),
    };
    // SECURITY: a state that moves the guard backwards (negative height, fractional round) would let the
    // validator sign again where it already signed: refuse to start instead (issue 24 item 6).
    if (state.height < 0n) throw new Error("height is negative");
    if (!Number.isSafeInteger(state.round) || state.round < 0 || ![1, 2, 3].includes(state.step)) {
      throw new Error("round/step out of range");
    }
    if (state.signature.length !== 64 || state.signBytes.length === 0)
      throw new Error("signature or sign bytes missing");
    return state;
  } catch (err) {
    throw new SignerError(
      { code: "SIGNER_STATE_CORRUPT", file, reason: (err as Error).message },
      `signer state ${file} is unreadable (${(err as Error).message}); refusing to sign. Restore it from a backup; never delete it on a live validator`,
      { cause: err },
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Fields of /proc/<pid>/stat after the command name (state first), or undefined where /proc is not there. */
function statFields(pid: number | "self"): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return undefined;
  }
}

/** Start time of a process in clock ticks since boot (/proc), or undefined where /proc is not there. */
function startTime(pid: number | "self"): string | undefined {
  return statFields(pid)?.[19];
}

/**
 * Whether the process that wrote a lock still runs. A pid alone is not enough: in a container the pid
 * namespace restarts with the container, so the pid of a killed node can belong to someone else after a
 * restart — even to one of our own threads (thread ids answer signal 0). The lock records the holder's
 * start time too, and a live pid with another start time is a different process.
 */
function lockHolderAlive(pid: number, start: string | undefined): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (existsSync(`/proc/self/task/${pid}`)) return false; // one of our own threads: not another holder
  if (!isAlive(pid)) return false;
  const fields = statFields(pid);
  // A killed node stays a zombie until its parent (often pid 1, which may reap late) collects it: signal 0
  // still answers, but a zombie runs no code, so it signs nothing (`devnet kill` then `devnet start`).
  if (fields?.[0] === "Z" || fields?.[0] === "X") return false;
  const now = fields?.[19];
  return start === undefined || now === undefined || now === start;
}

/**
 * Lock files this process holds. NOTE: process-wide on purpose: the lock is about processes, and a pid can
 * repeat across restarts (pid 1 in containers), so "same pid" alone does not mean "held by us".
 */
const heldLocks = new Set<string>();

function acquireLock(lockFile: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, "wx", 0o600);
      const start = startTime("self");
      writeSync(fd, start === undefined ? String(process.pid) : `${process.pid} ${start}`);
      closeSync(fd);
      heldLocks.add(lockFile);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const [pidText, start] = readFileSync(lockFile, "utf8").trim().split(/\s+/);
      const pid = Number.parseInt(pidText ?? "", 10);
      const ours = pid === process.pid;
      if ((ours && heldLocks.has(lockFile)) || (!ours && lockHolderAlive(pid, start))) {
        throw new SignerError(
          { code: "SIGNER_LOCKED", lockFile, pid },
          `validator key is in use by process ${pid} (lock ${lockFile}); two signers for one key could double-sign`,
        );
      }
      unlinkSync(lockFile); // stale lock from a crashed process
    }
  }
}

/**
 * SECURITY: a signing function WITHOUT the double-sign guard, for byzantine test mode only (node/byzantine.ts):
 * create-node.ts calls it only after assertByzantineAllowed passed. Never persisted, never locked.
 */
export function unguardedSigner(
  secretKey: Uint8Array,
  publicKey: Uint8Array,
): (signBytes: Uint8Array) => Uint8Array {
  const key = signingKey(secretKey, publicKey);
  return (bytes) => new Uint8Array(cryptoSign(null, bytes, key));
}
