/**
 * Signer positions as a restore compares them (issue 17 "signer safety"): the newest of the home's and the
 * backup's state is the one kept.
 */
import { parseSignerState as parseText } from "../signer.js";

export interface SignerPosition {
  height: bigint;
  round: number;
  step: number;
}

const STEP_NAMES = ["", "proposal", "prevote", "precommit"] as const;

/** `height 12 round 0 precommit`. */
export function signerText(p: SignerPosition): string {
  return `height ${p.height} round ${p.round} ${STEP_NAMES[p.step] ?? `step ${p.step}`}`;
}

/** The position a backup's signer state records. @throws SignerError SIGNER_STATE_CORRUPT */
export function parseSignerState(file: string, data: Uint8Array): SignerPosition {
  return parseText(`${file}:signer-state.json`, new TextDecoder().decode(data));
}
