/**
 * Slashing routes of the node API (issue 15): `GET /v1/slashing/:validator` and `GET /v1/evidence`, and the
 * slashing fields of `GET /v1/validators`. Pure reads of the live state and of this node's evidence pool.
 */
import type { EvidenceInfo, EvidenceJson, SlashingInfoJson } from "../../core/api/contract.js";
import { evidenceKeyOf } from "../../core/chain/apply/evidence.js";
import { burnedSupply, committedEvidence, slashingInfo } from "../../core/chain/slashing-queries.js";
import { readSlashingInfo } from "../../core/chain/slashing-state.js";
import { getValidator, type State } from "../../core/chain/state.js";
import type { Evidence } from "../../core/chain/vote.js";
import { fromHex, toHex } from "../../core/codec/index.js";
import { decodeAddress, encodeAddress } from "../../core/crypto/index.js";
import { isFastposError } from "../../core/errors.js";
import { contractRoute } from "./contract-route.js";
import { ApiError, type Route } from "./http.js";

/** What these routes read. */
export interface SlashingRoutesContext {
  state: () => State;
  /** This node's evidence pool, waiting for a block. */
  pendingEvidence: () => Evidence[];
}

/** A consensus address as fp1… or 0x-hex (what `/v1/validators` shows); 400 BAD_ADDRESS otherwise. */
export function parseConsensusAddress(text: string): Uint8Array {
  try {
    return /^0x[0-9a-fA-F]{40}$/.test(text) ? fromHex(text, 20) : decodeAddress(text);
  } catch (err) {
    if (!isFastposError(err)) throw err;
    throw new ApiError(
      400,
      "BAD_ADDRESS",
      `"${text}" is not a consensus address (fp1… or 0x + 40 hex digits): ${(err as Error).message}`,
    );
  }
}

/** The slashing fields of one `/v1/validators` row. */
export function validatorSlashingFields(s: State, address: Uint8Array) {
  const info = readSlashingInfo(s.tree, address);
  return {
    jailed: getValidator(s, address)?.status === "jailed",
    tombstoned: info.tombstoned,
    missedBlocks: info.missed,
    slashed: info.slashed.toString(),
  };
}

function evidenceJson(e: Evidence): EvidenceJson {
  const k = evidenceKeyOf(e);
  return { kind: k.type, validator: toHex(k.validator), height: k.height.toString(), round: k.round };
}

/** See the file header. */
export function slashingRoutes(ctx: SlashingRoutesContext): Route[] {
  return [
    contractRoute("GET /v1/slashing/:validator", (r) => {
      const address = parseConsensusAddress(r.params.validator);
      const s = ctx.state();
      const view = slashingInfo(s, address);
      const v = getValidator(s, address);
      if (!view || !v)
        throw new ApiError(404, "NOT_FOUND", `no validator with consensus address ${r.params.validator}`);
      const body: SlashingInfoJson = {
        address: toHex(address),
        consensusAddress: encodeAddress(address),
        height: s.height.toString(),
        status: v.status,
        jailed: view.jailed,
        jailedUntil: view.jailedUntil === null ? null : view.jailedUntil.toString(),
        tombstoned: view.tombstoned,
        jailReason: view.jailReason,
        missedBlocks: view.missedBlocks,
        signedBlocksWindow: view.signedBlocksWindow,
        maxMissedBlocks: view.maxMissedBlocks.toString(),
        slashed: view.totalSlashed.toString(),
      };
      return { json: body };
    }),
    contractRoute("GET /v1/evidence", () => {
      const s = ctx.state();
      const body: EvidenceInfo = {
        height: s.height.toString(),
        committed: committedEvidence(s).map((c) => ({
          kind: c.type,
          validator: toHex(c.validator),
          height: c.height.toString(),
          round: c.round,
          committedAt: c.committedAt.toString(),
        })),
        pending: ctx.pendingEvidence().map(evidenceJson),
        burned: burnedSupply(s).toString(),
        evidenceMaxAgeBlocks: s.params.evidenceMaxAgeBlocks.toString(),
      };
      return { json: body };
    }),
  ];
}
