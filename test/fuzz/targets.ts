import { Buffer } from "node:buffer";
import { stringify as toYaml } from "yaml";
import { decodeBlock, encodeBlock, hashBlock } from "../../src/core/chain/block.js";
import { genesisToJson, hashGenesis, validateGenesis } from "../../src/core/chain/genesis.js";
import { decodeTx, encodeTx, txFromJson, txToJson } from "../../src/core/chain/tx.js";
import {
  CommitCodec,
  DuplicateVoteEvidenceCodec,
  SignedProposalCodec,
  SignedVoteCodec,
} from "../../src/core/chain/vote.js";
import { bytesEqual, type Codec, decode, encode } from "../../src/core/codec/index.js";
import { parseTx } from "../../src/node/api/routes.js";
import { parseConfigText, validateConfig } from "../../src/node/config.js";
import { parseFaultRequest } from "../../src/node/fault-file.js";
import {
  BlockRequestCodec,
  BlockResponseCodec,
  BlockTxsCodec,
  BlockTxsRequestCodec,
  CompactProposalMsgCodec,
  HaveVotesMsgCodec,
  LinksMsgCodec,
  ProposalMsgCodec,
  StatusMsgCodec,
  TxHashesMsgCodec,
  TxMsgCodec,
  TxsMsgCodec,
  VoteMsgCodec,
} from "../../src/node/messages.js";
import { AuthCodec, HelloCodec, PeersCodec } from "../../src/node/p2p/handshake.js";
import { openCompactProposal } from "../../src/node/proposal-assembly.js";
import { parseSignerState } from "../../src/node/signer.js";
import { parseWalRecords } from "../../src/node/wal.js";
import { decodeWalRecord, encodeWalRecord } from "../../src/node/wal-records.js";
import { ACCEPTED, type Outcome, parsed, Refused } from "./outcomes.js";

/**
 * Fuzz targets (issue 23 item 1; test/fuzz/README.md): each takes arbitrary bytes and runs the real parser
 * the node runs on untrusted input. A target passes an input when the parser refuses it with a typed
 * FastposError (a decode or validation error with a code), or accepts it and everything the node then does
 * with the value works: for codecs it re-encodes to exactly the input (canonical round trip), hashes and
 * JSON forms round-trip. Anything else — a TypeError, RangeError, stack overflow, a non-canonical accept, an
 * accepted value that cannot be encoded or hashed — is a finding. The corpus (test/fuzz/corpus/) holds
 * valid inputs the mutator starts from.
 */
export interface FuzzTarget {
  name: string;
  /** What the target covers, for `npm run fuzz -- --list`. */
  about: string;
  /** Bytes (binary targets) or UTF-8 text (JSON / YAML targets). */
  text?: boolean;
  /** Runs the parser on one input; returns what it made of it (see `Outcome`), throws on a finding. */
  run(input: Uint8Array): Outcome;
}

/** A finding: an input the target must not produce. */
export class FuzzFinding extends Error {}

/**
 * A container's outcome: every part is parsed (each may be refused with a typed error) and each accepted
 * one checked (which must not throw); accepted, plus the first part's refusal (`what`: which parts).
 */
function withParts<P, T>(
  what: string,
  parts: readonly P[],
  parse: (p: P) => T,
  check?: (v: T, p: P) => void,
): Outcome {
  let first: Outcome = ACCEPTED;
  for (const part of parts) {
    const v = parsed(() => parse(part));
    if (v instanceof Refused) {
      if (first === ACCEPTED) first = v.outcome;
    } else check?.(v, part);
  }
  return first === ACCEPTED ? ACCEPTED : `${ACCEPTED}, ${what}: ${first}`;
}

/**
 * A codec target: decode → re-encode must give the input back. `check` goes deeper into an accepted
 * message (its embedded txs or blocks) and returns the outcome of that part.
 */
function canonical<T>(name: string, codec: Codec<T>, check?: (v: T) => Outcome): FuzzTarget {
  return {
    name,
    about: `${name}: decode → re-encode is the identity; only CodecError on bad input`,
    run(b) {
      const v = parsed(() => decode(codec, b));
      if (v instanceof Refused) return v.outcome;
      if (!bytesEqual(encode(codec, v), b))
        throw new FuzzFinding(`${name}: accepted a non-canonical encoding`);
      return check ? check(v) : ACCEPTED;
    },
  };
}

const text = (b: Uint8Array) => Buffer.from(b).toString("utf8");
const parseJson = (b: Uint8Array): unknown => {
  try {
    return JSON.parse(text(b));
  } catch {
    return undefined; // the API answers 400 BAD_JSON before any parser sees it
  }
};
const NOT_JSON: Outcome = "not-json";

export const TARGETS: FuzzTarget[] = [
  {
    name: "tx",
    about: "decodeTx: canonical round trip; JSON form round trips too",
    run(b) {
      const tx = parsed(() => decodeTx(b));
      if (tx instanceof Refused) return tx.outcome;
      if (!bytesEqual(encodeTx(tx), b)) throw new FuzzFinding("tx: non-canonical accept");
      const back = txFromJson(JSON.parse(JSON.stringify(txToJson(tx))));
      if (!bytesEqual(encodeTx(back), b)) throw new FuzzFinding("tx: JSON round trip changed the tx");
      return ACCEPTED;
    },
  },
  {
    name: "block",
    about: "decodeBlock: canonical round trip, hash stable",
    run(b) {
      const block = parsed(() => decodeBlock(b));
      if (block instanceof Refused) return block.outcome;
      const again = encodeBlock(block);
      if (!bytesEqual(again, b)) throw new FuzzFinding("block: non-canonical accept");
      if (!bytesEqual(hashBlock(decodeBlock(again)), hashBlock(block)))
        throw new FuzzFinding("block: hash changed on a round trip");
      return ACCEPTED;
    },
  },
  canonical("vote", SignedVoteCodec),
  canonical("proposal", SignedProposalCodec),
  canonical("commit", CommitCodec),
  canonical("evidence", DuplicateVoteEvidenceCodec),
  canonical("msg-proposal", ProposalMsgCodec, (m) => withParts("block", [m.block], decodeBlock)),
  canonical("msg-compact-proposal", CompactProposalMsgCodec, (m) => {
    const opened = parsed(() => openCompactProposal(m));
    if (opened instanceof Refused) return `${ACCEPTED}, skeleton: ${opened.outcome}`;
    return typeof opened === "string" ? `${ACCEPTED}, refused: ${opened}` : ACCEPTED;
  }),
  canonical("msg-vote", VoteMsgCodec),
  canonical("msg-tx", TxMsgCodec, (m) => withParts("tx", [m.tx], decodeTx)),
  canonical("msg-txs", TxsMsgCodec, (m) => withParts("txs", m.txs, decodeTx)),
  canonical("msg-tx-hashes", TxHashesMsgCodec),
  canonical("msg-status", StatusMsgCodec),
  canonical("msg-links", LinksMsgCodec),
  canonical("msg-have-votes", HaveVotesMsgCodec),
  canonical("msg-block-request", BlockRequestCodec),
  canonical("msg-block-response", BlockResponseCodec, (m) =>
    withParts("blocks", m.blocks, (x) => decodeBlock(x.block)),
  ),
  canonical("msg-block-txs-request", BlockTxsRequestCodec),
  canonical("msg-block-txs", BlockTxsCodec, (m) => withParts("txs", m.txs, decodeTx)),
  canonical("p2p-hello", HelloCodec),
  canonical("p2p-auth", AuthCodec),
  canonical("p2p-peers", PeersCodec),
  {
    name: "wal",
    about: "WAL file bytes: parseWalRecords never throws; each record decodes or is a CodecError",
    run(b) {
      const r = parseWalRecords(Buffer.from(b));
      if (r.goodBytes > b.length) throw new FuzzFinding("wal: read past the end");
      const dropped =
        r.goodBytes < r.totalBytes ? `${r.records.length ? "some" : "no"} records, ${r.reason}` : "";
      const o = withParts("records", r.records, decodeWalRecord, (w, rec) => {
        if (!bytesEqual(encodeWalRecord(w), rec)) throw new FuzzFinding("wal: non-canonical record");
      });
      return dropped ? `${dropped}; ${o}` : o;
    },
  },
  {
    name: "wal-record",
    about: "one WAL record: canonical round trip",
    run(b) {
      const w = parsed(() => decodeWalRecord(b));
      if (w instanceof Refused) return w.outcome;
      if (!bytesEqual(encodeWalRecord(w), b)) throw new FuzzFinding("wal-record: non-canonical accept");
      return ACCEPTED;
    },
  },
  {
    name: "signer-state",
    text: true,
    about: "signer-state.json: parsed into a sane guard or SIGNER_STATE_CORRUPT",
    run(b) {
      const s = parsed(() => parseSignerState("signer-state.json", text(b)));
      if (s instanceof Refused) return s.outcome;
      if (s.height < 0n || !Number.isSafeInteger(s.round) || s.round < 0 || ![1, 2, 3].includes(s.step))
        throw new FuzzFinding("signer-state: accepted a state that moves the guard backwards");
      return ACCEPTED;
    },
  },
  {
    name: "genesis",
    text: true,
    about: "genesis JSON: validateGenesis accepts (and re-serialises to the same hash) or GenesisError",
    run(b) {
      const j = parseJson(b);
      if (j === undefined) return NOT_JSON;
      const g = parsed(() => validateGenesis(j));
      if (g instanceof Refused) return g.outcome;
      const again = validateGenesis(JSON.parse(genesisToJson(g)));
      if (!bytesEqual(hashGenesis(again), hashGenesis(g)))
        throw new FuzzFinding("genesis: hash changed on a JSON round trip");
      return ACCEPTED;
    },
  },
  {
    name: "config",
    text: true,
    about: "config.yaml: parseConfigText + validateConfig accept or ConfigError",
    run(b) {
      const c = parsed(() => validateConfig(parseConfigText(text(b), "config.yaml"), "config.yaml"));
      return c instanceof Refused ? c.outcome : ACCEPTED;
    },
  },
  {
    name: "http-tx",
    text: true,
    about: "POST /v1/txs body (JSON): a tx, or a typed error (4xx)",
    run(b) {
      const j = parseJson(b);
      if (j === undefined) return NOT_JSON;
      const r = parsed(() => parseTx(j));
      if (r instanceof Refused) return r.outcome;
      const [tx, bytes] = r;
      if (bytes && !bytesEqual(encodeTx(tx), bytes)) throw new FuzzFinding("http-tx: bytes mismatch");
      return ACCEPTED;
    },
  },
  {
    name: "http-fault",
    text: true,
    about: "POST /admin/faults body (JSON): a fault, or a typed error (4xx)",
    run(b) {
      const j = parseJson(b);
      if (j === undefined) return NOT_JSON;
      const f = parsed(() => parseFaultRequest(j));
      return f instanceof Refused ? f.outcome : ACCEPTED;
    },
  },
];

/** The YAML of a config layer (corpus helper). */
export const yaml = (o: unknown) => toYaml(o);
