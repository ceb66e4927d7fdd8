/**
 * Devnet faults (DESIGN.md §6) that survive a restart: `POST /admin/faults` with `persist: true` keeps the
 * fault in `<home>/faults.json` (atomic write of every persisted fault), the node applies the file again
 * at start, and `DELETE /admin/faults` (`devnet heal`) removes it. Faults without `persist` live in memory
 * only, so a restart clears them. Also the one parser of a fault request, for the API and the file alike.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FastposError } from "../core/errors.js";
import { writeFileAtomicSync } from "../keystore/fs-atomic.js";
import { TX_GOSSIP_TYPES } from "./messages.js";
import type { Fault } from "./p2p/fault.js";

export type FaultErrorType = { code: "BAD_FAULT"; field: string };
export class FaultError extends FastposError<FaultErrorType> {}

/** Largest delay or jitter accepted (ms). */
export const MAX_FAULT_DELAY_MS = 60_000;

const FIELDS = new Set([
  "peer",
  "drop",
  "dropTxGossip",
  "dropTypes",
  "delayMs",
  "jitterMs",
  "loss",
  "persist",
]);

function bad(field: string, message: string): never {
  throw new FaultError({ code: "BAD_FAULT", field }, message);
}

function ms(v: unknown, field: string): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > MAX_FAULT_DELAY_MS)
    bad(field, `${field} must be an integer 0..${MAX_FAULT_DELAY_MS}`);
  return v as number;
}

/**
 * A fault request `{peer, drop?, dropTxGossip?, delayMs?, jitterMs?, loss?, persist?}` → peer id and fault.
 * @throws FaultError BAD_FAULT naming the field.
 */
export function parseFaultRequest(body: unknown): { peer: string; fault: Fault } {
  if (!body || typeof body !== "object" || Array.isArray(body))
    bad(
      "(body)",
      'body must be {"peer": "<node id>|*", "drop"?, "delayMs"?, "jitterMs"?, "loss"?, "persist"?}',
    );
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (!FIELDS.has(k)) bad(k, `unknown field "${k}"`);
  if (typeof b.peer !== "string" || !/^(\*|[0-9a-f]{40})$/.test(b.peer))
    bad("peer", 'peer must be a node id (40 hex digits) or "*"');
  for (const k of ["drop", "dropTxGossip", "persist"] as const)
    if (b[k] !== undefined && typeof b[k] !== "boolean") bad(k, `${k} must be true or false`);
  if (b.loss !== undefined && (typeof b.loss !== "number" || !(b.loss >= 0 && b.loss <= 1)))
    bad("loss", "loss must be a probability 0..1");
  let dropTypes: number[] | undefined;
  if (b.dropTypes !== undefined) {
    const ok =
      Array.isArray(b.dropTypes) && b.dropTypes.every((t) => Number.isInteger(t) && t >= 0 && t < 256);
    if (!ok || (b.dropTypes as number[]).length > 64)
      bad("dropTypes", "dropTypes must be frame types 0..255");
    dropTypes = b.dropTypes as number[];
  }
  // dropTxGossip: txs stop flowing to and from the peer while consensus traffic still does.
  if (b.dropTxGossip === true) dropTypes = [...new Set([...(dropTypes ?? []), ...TX_GOSSIP_TYPES])];
  const delayMs = ms(b.delayMs, "delayMs");
  const jitterMs = ms(b.jitterMs, "jitterMs");
  const fault: Fault = {
    drop: b.drop === true,
    ...(dropTypes ? { dropTypes } : {}),
    delayMs: delayMs ?? 0,
    ...(jitterMs ? { jitterMs } : {}),
    ...(b.loss ? { loss: b.loss as number } : {}),
    ...(b.persist === true ? { persist: true } : {}),
  };
  return { peer: b.peer as string, fault };
}

export function faultFile(home: string): string {
  return join(home, "faults.json");
}

/** Writes the faults marked `persist` (removes the file when there are none). */
export function savePersistedFaults(home: string, faults: Record<string, Fault>): void {
  const kept = Object.fromEntries(Object.entries(faults).filter(([, f]) => f.persist));
  if (Object.keys(kept).length === 0) rmSync(faultFile(home), { force: true });
  else writeFileAtomicSync(faultFile(home), `${JSON.stringify(kept, null, 2)}\n`, 0o644);
}

/**
 * The persisted faults by peer id ({} without a file). A file that does not parse is reported through
 * `onCorrupt` and ignored: a devnet node that starts without its faults beats one that cannot start.
 */
export function loadPersistedFaults(
  home: string,
  onCorrupt: (reason: string) => void,
): Record<string, Fault> {
  if (!existsSync(faultFile(home))) return {};
  try {
    const raw = JSON.parse(readFileSync(faultFile(home), "utf8")) as Record<string, unknown>;
    const out: Record<string, Fault> = {};
    for (const [peer, f] of Object.entries(raw)) {
      out[peer] = parseFaultRequest({ ...(f as object), peer, persist: true }).fault;
    }
    return out;
  } catch (err) {
    onCorrupt((err as Error).message);
    return {};
  }
}
