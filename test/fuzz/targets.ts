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
import { FastposError } from "../../src/core/errors.js";
import { parseTx } from "../../src/node/api/routes.js";
import { parseConfigText, validateConfig } from "../../src/node/config.js";
import { parseFaultRequest } from "../../src/node/fault-file.js";
import {
  BlockRequestCodec,
  BlockResponseCodec,
  BlockTxsCodec,
  BlockTxsRequestCodec,
  CompactProposalMsgCodec,
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

/**
 * Fuzz targets (issue 23 item 1): each takes arbitrary bytes and runs the real parser the node runs on
 * untrusted input. A target passes an input when the parser returns (and, for codecs, the value
 * re-encodes to exactly the input: canonical round trip) or throws a typed FastposError (a decode or
 * validation error with a code). Anything else — a TypeError, RangeError, stack overflow, a non-canonical
 * accept — is a finding. The corpus (test/fuzz/corpus/) holds valid inputs the mutator starts from.
 */
export interface FuzzTarget {
  name: string;
  /** What the target covers, for `npm run fuzz -- --list`. */
  about: string;
  /** Bytes (binary targets) or UTF-8 text (JSON / YAML targets). */
  text?: boolean;
  run(input: Uint8Array): void;
}

/** A finding: an input the target must not produce. */
export class FuzzFinding extends Error {}

/** Passes typed errors (the parser refused the input, as it should), rethrows everything else. */
function typed(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (err instanceof FastposError || err instanceof FuzzFinding) {
      if (err instanceof FuzzFinding) throw err;
      return;
    }
    throw err;
  }
}

function canonical<T>(name: string, codec: Codec<T>, check?: (v: T, b: Uint8Array) => void): FuzzTarget {
  return {
    name,
    about: `${name}: decode → re-encode is the identity; only CodecError on bad input`,
    run(b) {
      typed(() => {
        const v = decode(codec, b);
        const again = encode(codec, v);
        if (!bytesEqual(again, b)) throw new FuzzFinding(`${name}: accepted a non-canonical encoding`);
        check?.(v, b);
      });
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

export const TARGETS: FuzzTarget[] = [
  {
    name: "tx",
    about: "decodeTx: canonical round trip; JSON form round trips too",
    run(b) {
      typed(() => {
        const tx = decodeTx(b);
        if (!bytesEqual(encodeTx(tx), b)) throw new FuzzFinding("tx: non-canonical accept");
        const back = txFromJson(JSON.parse(JSON.stringify(txToJson(tx))));
        if (!bytesEqual(encodeTx(back), b)) throw new FuzzFinding("tx: JSON round trip changed the tx");
      });
    },
  },
  {
    name: "block",
    about: "decodeBlock: canonical round trip, hash stable",
    run(b) {
      typed(() => {
        const block = decodeBlock(b);
        const again = encodeBlock(block);
        if (!bytesEqual(again, b)) throw new FuzzFinding("block: non-canonical accept");
        if (!bytesEqual(hashBlock(decodeBlock(again)), hashBlock(block)))
          throw new FuzzFinding("block: hash changed on a round trip");
      });
    },
  },
  canonical("vote", SignedVoteCodec),
  canonical("proposal", SignedProposalCodec),
  canonical("commit", CommitCodec),
  canonical("evidence", DuplicateVoteEvidenceCodec),
  canonical("msg-proposal", ProposalMsgCodec, (m) => {
    decodeBlock(m.block);
  }),
  canonical("msg-compact-proposal", CompactProposalMsgCodec, (m) => {
    openCompactProposal(m);
  }),
  canonical("msg-vote", VoteMsgCodec),
  canonical("msg-tx", TxMsgCodec, (m) => {
    decodeTx(m.tx);
  }),
  canonical("msg-txs", TxsMsgCodec, (m) => {
    for (const t of m.txs) typed(() => decodeTx(t));
  }),
  canonical("msg-tx-hashes", TxHashesMsgCodec),
  canonical("msg-status", StatusMsgCodec),
  canonical("msg-block-request", BlockRequestCodec),
  canonical("msg-block-response", BlockResponseCodec, (m) => {
    for (const x of m.blocks) typed(() => decodeBlock(x.block));
  }),
  canonical("msg-block-txs-request", BlockTxsRequestCodec),
  canonical("msg-block-txs", BlockTxsCodec, (m) => {
    for (const t of m.txs) typed(() => decodeTx(t));
  }),
  canonical("p2p-hello", HelloCodec),
  canonical("p2p-auth", AuthCodec),
  canonical("p2p-peers", PeersCodec),
  {
    name: "wal",
    about: "WAL file bytes: parseWalRecords never throws; each record decodes or is a CodecError",
    run(b) {
      const r = parseWalRecords(Buffer.from(b));
      if (r.goodBytes > b.length) throw new FuzzFinding("wal: read past the end");
      for (const rec of r.records)
        typed(() => {
          const w = decodeWalRecord(rec);
          if (!bytesEqual(encodeWalRecord(w), rec)) throw new FuzzFinding("wal: non-canonical record");
        });
    },
  },
  {
    name: "wal-record",
    about: "one WAL record: canonical round trip",
    run(b) {
      typed(() => {
        if (!bytesEqual(encodeWalRecord(decodeWalRecord(b)), b))
          throw new FuzzFinding("wal-record: non-canonical accept");
      });
    },
  },
  {
    name: "signer-state",
    text: true,
    about: "signer-state.json: parsed into a sane guard or SIGNER_STATE_CORRUPT",
    run(b) {
      typed(() => {
        const s = parseSignerState("signer-state.json", text(b));
        if (s.height < 0n || !Number.isSafeInteger(s.round) || s.round < 0 || ![1, 2, 3].includes(s.step))
          throw new FuzzFinding("signer-state: accepted a state that moves the guard backwards");
      });
    },
  },
  {
    name: "genesis",
    text: true,
    about: "genesis JSON: validateGenesis accepts (and re-serialises to the same hash) or GenesisError",
    run(b) {
      const j = parseJson(b);
      if (j === undefined) return;
      typed(() => {
        const g = validateGenesis(j);
        const again = validateGenesis(JSON.parse(genesisToJson(g)));
        if (!bytesEqual(hashGenesis(again), hashGenesis(g)))
          throw new FuzzFinding("genesis: hash changed on a JSON round trip");
      });
    },
  },
  {
    name: "config",
    text: true,
    about: "config.yaml: parseConfigText + validateConfig accept or ConfigError",
    run(b) {
      typed(() => {
        validateConfig(parseConfigText(text(b), "config.yaml"), "config.yaml");
      });
    },
  },
  {
    name: "http-tx",
    text: true,
    about: "POST /v1/txs body (JSON): a tx, or a typed error (4xx)",
    run(b) {
      const j = parseJson(b);
      if (j === undefined) return;
      typed(() => {
        const [tx, bytes] = parseTx(j);
        if (bytes && !bytesEqual(encodeTx(tx), bytes)) throw new FuzzFinding("http-tx: bytes mismatch");
      });
    },
  },
  {
    name: "http-fault",
    text: true,
    about: "POST /admin/faults body (JSON): a fault, or a typed error (4xx)",
    run(b) {
      const j = parseJson(b);
      if (j === undefined) return;
      typed(() => {
        parseFaultRequest(j);
      });
    },
  },
];

/** The YAML of a config layer (corpus helper). */
export const yaml = (o: unknown) => toYaml(o);
