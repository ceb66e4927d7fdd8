import { bytesEqual } from "../codec/index.js";
import { FastposError } from "../errors.js";
import { type Header, hashHeader } from "./block.js";
import { verifyCommit } from "./commit.js";
import { hashValidatorSet, indexOfValidator, isOneThird, type ValidatorSet } from "./validator-set.js";
import type { Commit } from "./vote.js";

/**
 * Light-client verification of one header (issue 17 state sync; Tendermint's "skipping verification"):
 * a node that trusts a validator set (the genesis set, or one pinned by a trusted header) accepts a header
 * at a later height without the blocks between when
 *   1. the set that signed it is the one the header names (`validatorsHash`),
 *   2. its commit has > 2/3 of that set's power (a valid commit), and
 *   3. validators of the TRUSTED set with > 1/3 of its power signed it: at least one honest validator the
 *      node trusts vouches for the header, so < 1/3 byzantine stake cannot forge it.
 * NOTE: no trusting period: fastpos has no unbonding-time bound on the clock yet, so a long-unbonded
 * majority of the trusted set could sign a fake history (the long-range attack). Pin a recent header
 * (`stateSync.trustHeight` + `trustHash`) on a network whose set has changed.
 */
export type LightErrorType =
  | { code: "LIGHT_BAD_VALIDATORS"; height: string }
  | { code: "LIGHT_NOT_TRUSTED"; height: string; reason: string };
export class LightError extends FastposError<LightErrorType> {}

export function verifyLightHeader(o: {
  chainId: string;
  trusted: ValidatorSet;
  header: Header;
  commit: Commit;
  /** The set that signed the header (from the peer; checked against `header.validatorsHash`). */
  signers: ValidatorSet;
}): void {
  const { header, commit, signers, trusted } = o;
  const height = String(header.height);
  if (header.chainId !== o.chainId || !bytesEqual(hashValidatorSet(signers), header.validatorsHash))
    throw new LightError(
      { code: "LIGHT_BAD_VALIDATORS", height },
      `the validator set offered for height ${height} is not the one its header names`,
    );
  verifyCommit(commit, signers, o.chainId, { height: header.height, blockHash: hashHeader(header) });
  let power = 0n;
  for (const sig of commit.signatures) {
    const i = indexOfValidator(trusted, sig.validator);
    if (i < 0) continue;
    const t = trusted.validators[i];
    const s = signers.validators[indexOfValidator(signers, sig.validator)];
    // The same key in both sets, so the signature verified above is the trusted validator's.
    if (t && s && bytesEqual(t.publicKey, s.publicKey)) power += t.power;
  }
  if (!isOneThird(power, trusted.totalPower))
    throw new LightError(
      {
        code: "LIGHT_NOT_TRUSTED",
        height,
        reason: `trusted validators holding ${power} of ${trusted.totalPower} signed it; more than 1/3 is needed`,
      },
      `cannot trust the header at height ${height}: too few of the trusted validators signed it (the set changed too much; pin a recent header with stateSync.trustHeight and trustHash)`,
    );
}
