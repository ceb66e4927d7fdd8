import { createClient } from "../../client/client.js";
import type { SubmitTxBatchResponse } from "../../core/api/contract.js";
import { createTransferTx, hashTx, type Tx } from "../../core/chain/tx.js";
import { toHex } from "../../core/codec/index.js";
import { addressFromPublicKey, getPublicKey, sha256 } from "../../core/crypto/index.js";
import { DevnetError } from "../state.js";
import type { EventData } from "./events.js";

/**
 * The scenario's `load` step: funds `accounts` fresh accounts (keys from the scenario seed), then sends
 * transfers among them open-loop at `rate` tx/s for `duration`, spread over the nodes that answer. It acts
 * like a careful wallet under chaos: a submission to a dead node goes to the next one, and a tx not final
 * after a few seconds is sent again (same bytes; a duplicate is refused harmlessly), so a tx lost with a
 * killed node's mempool does not block its sender's later nonces. Finality comes from the event streams.
 */
export interface LoadOptions {
  chainId: string;
  /** API URLs of the nodes to send to, read at each submission (nodes come and go). */
  urls: () => string[];
  funder: Uint8Array;
  accounts: number;
  rate: number;
  durationMs: number;
  /** Key derivation label, unique per load of a run. */
  label: string;
  events: EventData;
}

export interface LoadStats {
  label: string;
  accounts: string[];
  submitted: number;
  accepted: number;
  resent: number;
  /** Accepted txs the event streams showed in a block. */
  finalized: number;
  /** Sent txs never seen final by the end of the drain. */
  notFinal: number;
  /** Txs no node ever took, by the last error. */
  rejected: Record<string, number>;
}

export interface LoadRun {
  /** Hashes of every tx this load got accepted. */
  accepted: Set<string>;
  /** Resolves when the load and its drain are over. */
  done: Promise<LoadStats>;
  addresses: string[];
}

const RESEND_AFTER_MS = 3_000;
const DRAIN_MS = 20_000;
type Pending = Map<string, { tx: Tx; sentAt: number }>;

export async function startLoad(o: LoadOptions): Promise<LoadRun> {
  const keys = Array.from({ length: o.accounts }, (_, i) =>
    sha256(new TextEncoder().encode(`${o.label}/${i}`)),
  );
  const addresses = keys.map((k) => addressFromPublicKey(getPublicKey(k)));
  const stats: LoadStats = {
    label: o.label,
    accounts: addresses,
    submitted: 0,
    accepted: 0,
    resent: 0,
    finalized: 0,
    notFinal: 0,
    rejected: {},
  };
  const accepted = new Set<string>();
  const pending: Pending = new Map();
  /** Errors of the last try of txs no node took yet (what the report counts as rejected). */
  const lastError = new Map<string, string>();
  const senders = new Map<string, number>();
  /**
   * Submits each sender's txs to "its" node (so its nonces arrive in order at one mempool), falling back to
   * the next nodes when that one does not answer; the per-tx results, undefined where no node answered.
   */
  const submit = async (txs: Tx[]) => {
    const urls = o.urls();
    const groups = new Map<number, number[]>();
    txs.forEach((tx, i) => {
      const key = toHex(tx.body.from);
      if (!senders.has(key)) senders.set(key, senders.size);
      const g = (senders.get(key) as number) % Math.max(1, urls.length);
      groups.set(g, [...(groups.get(g) ?? []), i]);
    });
    const results: (SubmitTxBatchResponse["results"][number] | undefined)[] = new Array(txs.length);
    await Promise.all(
      [...groups].map(async ([g, idx]) => {
        for (let k = 0; k < urls.length; k++) {
          try {
            const url = urls[(g + k) % urls.length] as string;
            const r = await createClient({ url, timeoutMs: 5_000 }).submitTxs(idx.map((i) => txs[i] as Tx));
            r.results.forEach((x, j) => {
              results[idx[j] as number] = x;
            });
            return;
          } catch {
            // unreachable or refused as a whole: the next node
          }
        }
      }),
    );
    return results;
  };
  /** Sends txs; each stays pending (resent later) until final, also when no node took it this time. */
  const send = async (txs: Tx[]) => {
    const results = await submit(txs);
    const now = performance.now();
    txs.forEach((tx, i) => {
      const hash = toHex(hashTx(tx));
      const r = results[i];
      if (r && "hash" in r) {
        accepted.add(hash);
        lastError.delete(hash);
      } else if (!accepted.has(hash))
        lastError.set(hash, r && "error" in r ? r.error.code : "NODE_UNREACHABLE");
      pending.set(hash, { tx, sentAt: now });
    });
  };
  /** Forgets final txs; sends again those pending longer than RESEND_AFTER_MS. */
  const resendStale = async () => {
    const now = performance.now();
    const stale: Tx[] = [];
    for (const [h, p] of pending) {
      if (o.events.finalizedTxs.has(h)) pending.delete(h);
      else if (now - p.sentAt > RESEND_AFTER_MS) stale.push(p.tx);
    }
    if (stale.length) {
      stats.resent += Math.min(stale.length, 2000);
      await send(stale.slice(0, 2000));
    }
  };
  const drain = async (timeoutMs: number) => {
    const end = performance.now() + timeoutMs;
    for (;;) {
      await resendStale();
      if (pending.size === 0 || performance.now() > end) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  // Funding: one batch from the funder, final before the timed part starts.
  const funder = addressFromPublicKey(getPublicKey(o.funder));
  let nonce = BigInt((await firstAnswer(o.urls(), (c) => c.account(funder))).nextNonce);
  const funding = addresses.map((to) =>
    createTransferTx({ chainId: o.chainId, secretKey: o.funder, to, amount: 1_000_000_000n, nonce: nonce++ }),
  );
  await send(funding);
  await drain(60_000);
  if (pending.size) {
    throw new DevnetError(
      { code: "TIMEOUT", name: o.label, height: "", best: null },
      `load: funding ${o.accounts} accounts did not finalize within 60 s`,
    );
  }
  // The funding txs stay in `accepted` (final txs for the invariants) but not in the load's numbers.
  const fundingHashes = new Set(funding.map((tx) => toHex(hashTx(tx))));
  const nonces = addresses.map(() => 0n);
  const run = async (): Promise<LoadStats> => {
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < o.durationMs) {
      const due = Math.floor(((performance.now() - started) / 1000) * o.rate) - sent;
      const txs: Tx[] = [];
      for (let i = 0; i < due; i++) {
        const a = (sent + i) % o.accounts;
        const nonceA = nonces[a] as bigint;
        nonces[a] = nonceA + 1n;
        const to = addresses[(a + 1) % o.accounts] as string;
        txs.push(
          createTransferTx({
            chainId: o.chainId,
            secretKey: keys[a] as Uint8Array,
            to,
            amount: 1n,
            nonce: nonceA,
          }),
        );
      }
      sent += due;
      stats.submitted += due;
      if (txs.length) await send(txs);
      await resendStale();
      await new Promise((r) => setTimeout(r, 100));
    }
    await drain(DRAIN_MS);
    for (const h of accepted) {
      if (fundingHashes.has(h)) continue;
      stats.accepted++;
      if (o.events.finalizedTxs.has(h)) stats.finalized++;
    }
    stats.notFinal = stats.submitted - stats.finalized;
    for (const code of lastError.values()) stats.rejected[code] = (stats.rejected[code] ?? 0) + 1;
    return stats;
  };
  return { accepted, done: run(), addresses };
}

/** The first node that answers `call`. */
async function firstAnswer<T>(
  urls: string[],
  call: (c: ReturnType<typeof createClient>) => Promise<T>,
): Promise<T> {
  let last: unknown;
  for (const url of urls) {
    try {
      return await call(createClient({ url, timeoutMs: 5_000 }));
    } catch (err) {
      last = err;
    }
  }
  throw last ?? new DevnetError({ code: "DEVNET_NONE" }, "load: no running node to send to");
}
