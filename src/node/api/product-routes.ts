/**
 * Product-layer read routes (docs/product-layer.md): rewards, work reports, the oracle committee, escrows
 * and the supply counters. Pure reads of the live state; writes are txs through `POST /v1/txs`.
 */
import type { EscrowInfo, SupplyInfo, WorkReportInfo } from "../../core/api/contract.js";
import { withdrawableRewards } from "../../core/chain/apply/withdraw-rewards.js";
import {
  hashWorkReport,
  REWARD_POOL_KEY,
  readChallenge,
  readEscrow,
  readInvoice,
  readOracle,
  readReport,
  readU64,
  vestingKey,
} from "../../core/chain/product-state.js";
import { burnedSupply } from "../../core/chain/slashing-queries.js";
import { mintedSupply, totalSupply } from "../../core/chain/state.js";
import { fromHex, toHex } from "../../core/codec/index.js";
import { decodeAddress, encodeAddress, isValidAddress } from "../../core/crypto/index.js";
import { contractRoute } from "./contract-route.js";
import { ApiError, type Route } from "./http.js";
import type { ApiContext } from "./routes.js";

function parseAddress(s: string, what: string): Uint8Array {
  if (isValidAddress(s)) return decodeAddress(s);
  if (/^0x[0-9a-fA-F]{40}$/.test(s)) return fromHex(s, 20);
  throw new ApiError(400, "BAD_ADDRESS", `${what} must be an fp1… address or 0x + 40 hex digits, got "${s}"`);
}

function parseEpoch(s: string): bigint {
  if (!/^\d{1,19}$/.test(s))
    throw new ApiError(400, "BAD_EPOCH", `epoch must be a non-negative integer, got "${s}"`);
  return BigInt(s);
}

function parseEscrow(s: string): Uint8Array {
  if (!/^0x[0-9a-fA-F]{64}$/.test(s))
    throw new ApiError(400, "BAD_ESCROW", `escrow id must be 0x + 64 hex digits, got "${s}"`);
  return fromHex(s.toLowerCase(), 32);
}

export function productRoutes(ctx: ApiContext): Route[] {
  const ok = <T>(json: T) => ({ json });
  let supply: SupplyInfo | undefined;
  return [
    contractRoute("GET /v1/rewards/:address", (r) => {
      const s = ctx.state();
      const w = withdrawableRewards(s.tree, parseAddress(r.params.address, "address"));
      return ok({
        address: r.params.address,
        height: s.height.toString(),
        accrued: w.accrued.toString(),
        unsettled: w.unsettled.map((u) => ({ validator: toHex(u.validator), amount: u.amount.toString() })),
        total: w.total.toString(),
      });
    }),
    contractRoute("GET /v1/work/:epoch/:validator", (r) => {
      const s = ctx.state();
      const epoch = parseEpoch(r.params.epoch);
      const validator = parseAddress(r.params.validator, "validator");
      const rec = readReport(s.tree, epoch, validator);
      if (!rec)
        throw new ApiError(404, "NOT_FOUND", `no work report for epoch ${epoch} of ${r.params.validator}`);
      const ch = readChallenge(s.tree, epoch, validator);
      const json: WorkReportInfo = {
        epoch: epoch.toString(),
        validator: toHex(validator),
        reporter: encodeAddress(rec.reporter),
        workUnits: rec.report.workUnits.toString(),
        proofHash: toHex(rec.report.proofHash),
        uri: rec.report.uri,
        reportHash: toHex(hashWorkReport(rec.report)),
        height: rec.height.toString(),
        score: rec.score,
        status: rec.status,
        challenge: ch
          ? {
              challenger: encodeAddress(ch.challenger),
              bond: ch.bond.toString(),
              evidenceHash: toHex(ch.evidenceHash),
              uri: ch.uri,
              height: ch.height.toString(),
            }
          : null,
        vesting: readU64(s.tree, vestingKey(epoch, validator)).toString(),
      };
      return ok(json);
    }),
    contractRoute("GET /v1/oracle", () => {
      const c = readOracle(ctx.state().tree);
      return ok({
        committee: c
          ? { version: c.version.toString(), threshold: c.threshold, members: c.members.map(toHex) }
          : null,
      });
    }),
    contractRoute("GET /v1/billing/:escrow", (r) => {
      const s = ctx.state();
      const id = parseEscrow(r.params.escrow);
      const e = readEscrow(s.tree, id);
      if (!e) throw new ApiError(404, "NOT_FOUND", `no escrow ${toHex(id)}`);
      const json: EscrowInfo = {
        id: toHex(id),
        owner: encodeAddress(e.owner),
        balance: e.balance.toString(),
        refundEpoch: e.refundEpoch === null ? null : e.refundEpoch.toString(),
        invoices: e.open.flatMap((n) => {
          const inv = readInvoice(s.tree, id, n);
          return inv
            ? [
                {
                  id: n,
                  validator: toHex(inv.validator),
                  amount: inv.amount.toString(),
                  usageHash: toHex(inv.usageHash),
                },
              ]
            : [];
        }),
        height: s.height.toString(),
      };
      return ok(json);
    }),
    // PERF/SECURITY: summing walks the whole state, so it is done once per height and cached; a flood of
    // requests costs one walk per block, not one per request.
    contractRoute("GET /v1/supply", () => {
      const s = ctx.state();
      const height = s.height.toString();
      if (supply?.height !== height)
        supply = {
          height,
          total: totalSupply(s).toString(),
          burned: burnedSupply(s).toString(),
          minted: mintedSupply(s).toString(),
          rewardPool: readU64(s.tree, REWARD_POOL_KEY).toString(),
        };
      return ok(supply);
    }),
  ];
}
