import { Buffer } from "node:buffer";
import { readFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { parse as parseYaml, stringify as toYaml } from "yaml";
import { encodeBlock, hashBlock } from "../../src/core/chain/block.js";
import { voteSignBytes } from "../../src/core/chain/commit.js";
import { genesisToJson } from "../../src/core/chain/genesis.js";
import { createTransferTx, createTx, encodeTx, hashTx, signTx, txToJson } from "../../src/core/chain/tx.js";
import {
  CommitCodec,
  DuplicateVoteEvidenceCodec,
  ProposalCodec,
  SignedProposalCodec,
  SignedVoteCodec,
} from "../../src/core/chain/vote.js";
import { type Codec, encode, toHex } from "../../src/core/codec/index.js";
import { getPublicKey, sign, signBytes } from "../../src/core/crypto/index.js";
import {
  BlockRequestCodec,
  BlockResponseCodec,
  BlockTxsCodec,
  BlockTxsRequestCodec,
  CompactProposalMsgCodec,
  HaveVotesMsgCodec,
  LinksMsgCodec,
  ProposalMsgCodec,
  packHashes,
  StatusMsgCodec,
  TxHashesMsgCodec,
  TxMsgCodec,
  TxsMsgCodec,
  VoteMsgCodec,
} from "../../src/node/messages.js";
import { AuthCodec, HelloCodec, P2P_VERSION, PeersCodec } from "../../src/node/p2p/handshake.js";
import { encodeWalRecord } from "../../src/node/wal-records.js";
import { buildChain, devChain } from "../helpers/chain.js";
import { otherPayloads } from "./seed-payloads.js";

/**
 * Valid inputs per fuzz target, built with the real encoders from a real dev chain (blocks with txs and
 * commits, signed votes and proposals, handshake frames, WAL files, genesis, config, signer state, HTTP
 * bodies). `npm run fuzz -- --write-corpus` stores them under test/fuzz/corpus/ (small, in the repo).
 */
export function buildSeeds(): Record<string, Uint8Array[]> {
  const chain = devChain(4);
  const a = chain.accounts;
  const chainId = chain.state.chainId;
  const txs = [0, 1, 2].map((i) =>
    createTransferTx({
      chainId,
      secretKey: (a[i] as { secretKey: Uint8Array }).secretKey,
      to: (a[(i + 1) % a.length] as { address: string }).address,
      amount: 1000n + BigInt(i),
      nonce: 0n,
      fee: 10n,
    }),
  );
  const k0 = (a[0] as { secretKey: Uint8Array }).secretKey;
  const bond = signTx(k0, {
    chainId,
    from: getPublicKey(k0),
    nonce: 1n,
    fee: 1n,
    payload: { type: "bond", value: { consensusKey: getPublicKey(k0), name: "v", amount: 5n } },
  });
  const { blocks, commits } = buildChain(chain, [[txs[0]!, txs[1]!], [txs[2]!], []]);
  const val = chain.consensus[0] as { secretKey: Uint8Array; address: Uint8Array };
  const others = otherPayloads(val.address).map((payload, i) =>
    createTx({ chainId, secretKey: k0, nonce: BigInt(2 + i), fee: 1n, payload }),
  );
  const voteOf = (type: "prevote" | "precommit", blockHash: Uint8Array | null) => {
    const vote = { type, height: 2n, round: 0, blockHash, validator: val.address };
    return { vote, signature: sign(val.secretKey, voteSignBytes(chainId, vote)) };
  };
  const b1 = blocks[0]!;
  const proposal = {
    height: 1n,
    round: 0,
    blockHash: hashBlock(b1),
    polRound: null,
    proposer: b1.header.proposer,
  };
  const sp = {
    proposal,
    signature: sign(val.secretKey, signBytes("proposal", chainId, encode(ProposalCodec, proposal))),
  };
  const skeleton = encodeBlock({ ...b1, txs: [] });
  const hashes = packHashes(b1.txs.map((t) => hashTx(t)));
  const vA = voteOf("prevote", hashBlock(b1));
  const vB = voteOf("prevote", null);
  const walRecords = [
    encodeWalRecord({ type: "height", value: { height: 2n } }),
    encodeWalRecord({ type: "vote", value: vA }),
    encodeWalRecord({ type: "timeout", value: { kind: "prevote", height: 2n, round: 1 } }),
    encodeWalRecord({ type: "proposal", value: { proposal: sp, block: encodeBlock(b1), valid: true } }),
    encodeWalRecord({ type: "valueReady", value: { height: 2n, round: 0, block: encodeBlock(b1) } }),
  ];
  const walFile = Buffer.concat(
    walRecords.flatMap((r) => {
      const h = Buffer.alloc(8);
      h.writeUInt32BE(r.length, 0);
      h.writeUInt32BE(crc32(r), 4);
      return [h, Buffer.from(r)];
    }),
  );
  const enc = <T>(c: Codec<T>, ...vs: T[]) => vs.map((v) => encode(c, v));
  const utf8 = (...s: string[]) => s.map((x) => new Uint8Array(Buffer.from(x)));
  const hello = {
    version: P2P_VERSION,
    genesisHash: new Uint8Array(32).fill(1),
    nodeKey: getPublicKey(k0),
    nonce: new Uint8Array(32).fill(3),
    ephemeralKey: new Uint8Array(32).fill(9),
    listenUrl: "ws://127.0.0.1:26656",
    moniker: "node0",
    validatorKey: null,
  };
  return {
    tx: [...txs, bond, ...others].map((t) => encodeTx(t)),
    block: blocks.map((b) => encodeBlock(b)),
    vote: enc(SignedVoteCodec, vA, vB, voteOf("precommit", hashBlock(b1))),
    proposal: enc(SignedProposalCodec, sp),
    commit: enc(CommitCodec, ...commits),
    evidence: enc(DuplicateVoteEvidenceCodec, { a: vA, b: vB }),
    "msg-proposal": enc(ProposalMsgCodec, { proposal: sp, block: encodeBlock(b1) }),
    "msg-compact-proposal": enc(CompactProposalMsgCodec, { proposal: sp, skeleton, txHashes: hashes }),
    "msg-vote": enc(VoteMsgCodec, vA),
    "msg-tx": enc(TxMsgCodec, { tx: encodeTx(txs[0]!) }),
    "msg-txs": enc(
      TxsMsgCodec,
      { txs: txs.map((t) => encodeTx(t)) },
      { txs: others.map((t) => encodeTx(t)) },
    ),
    "msg-tx-hashes": enc(TxHashesMsgCodec, { hashes }),
    "msg-status": enc(StatusMsgCodec, { height: 7n }),
    "msg-have-votes": enc(
      HaveVotesMsgCodec,
      { height: 7n, votes: [vA.vote, vB.vote], proposals: [sp] },
      { height: 1n, votes: [], proposals: [] },
    ),
    "msg-links": enc(
      LinksMsgCodec,
      { linked: [vA.vote.validator, vB.vote.validator], impaired: [] },
      { linked: [], impaired: [new Uint8Array(20).fill(7)] },
    ),
    "msg-block-request": enc(BlockRequestCodec, { from: 1n, count: 4 }),
    "msg-block-response": enc(BlockResponseCodec, {
      blocks: blocks.map((b, i) => ({ block: encodeBlock(b), commit: commits[i]! })),
    }),
    "msg-block-txs-request": enc(BlockTxsRequestCodec, { blockHash: hashBlock(b1), indices: [0, 1] }),
    "msg-block-txs": enc(BlockTxsCodec, {
      blockHash: hashBlock(b1),
      indices: [1],
      txs: [encodeTx(txs[1]!)],
    }),
    "p2p-hello": enc(HelloCodec, hello, { ...hello, validatorKey: getPublicKey(val.secretKey) }),
    "p2p-auth": enc(
      AuthCodec,
      { signature: new Uint8Array(64).fill(5), validatorSignature: null },
      { signature: new Uint8Array(64).fill(5), validatorSignature: new Uint8Array(64).fill(6) },
    ),
    "p2p-peers": enc(PeersCodec, { urls: ["ws://127.0.0.1:1", "ws://10.0.0.2:26656"] }),
    wal: [new Uint8Array(walFile)],
    "wal-record": walRecords,
    "signer-state": utf8(
      JSON.stringify({
        height: "12",
        round: 0,
        step: 2,
        signBytes: toHex(voteSignBytes(chainId, vA.vote)),
        signature: toHex(vA.signature),
      }),
    ),
    genesis: utf8(
      genesisToJson(chain.genesis),
      // The earliest time a genesis can have (u64 ms): mutated digits probe the boundary a fuzz finding
      // was on (a real date before 1970 validated, then could not be hashed).
      genesisToJson({ ...chain.genesis, genesisTime: "1970-01-01T00:00:00.000Z" }),
    ),
    config: utf8(
      "moniker: node0\n",
      "p2p:\n  listen: 127.0.0.1:26656\n  peers: [ws://127.0.0.1:26657]\n  maxPeers: 20\n",
      "api:\n  listen: 127.0.0.1:8545\nlog:\n  level: info\n  maxFiles: 3\n",
      // Every key of the documented template, without its comments (a 6 KiB seed made the run 3× slower).
      toYaml(parseYaml(readFileSync(new URL("../../templates/config.yaml", import.meta.url), "utf8"))),
    ),
    "http-tx": utf8(
      JSON.stringify({ tx: toHex(encodeTx(txs[0]!)) }),
      JSON.stringify(txToJson(txs[1]!)),
      JSON.stringify(txToJson(bond)),
      ...others.map((t) => JSON.stringify(txToJson(t))),
    ),
    "http-fault": utf8(
      JSON.stringify({ peer: "*", drop: true }),
      JSON.stringify({ peer: "ab".repeat(20), delayMs: 100, jitterMs: 5, loss: 0.1, dropTxGossip: true }),
      JSON.stringify({ peer: "*", dropTypes: [16, 17], persist: false }),
    ),
  };
}
