import { Flags } from "@oclif/core";
import type { TxPayload } from "../core/chain/tx.js";
import { fromHex } from "../core/codec/index.js";
import { addressBytes, decodeAddress, isValidAddress } from "../core/crypto/index.js";
import { isFastposError } from "../core/errors.js";
import type { LoadedKeypair } from "../keystore/keys-service.js";
import { BaseCommand } from "./base-command.js";
import { UserError } from "./errors.js";
import { passwordFlag } from "./flags.js";
import { sourceLabel } from "./key-resolve.js";
import { clientFor, keyByName, resolveTarget, targetFlags } from "./target.js";

/**
 * Base of the `fastpos tx …` commands: `--from` key (user keystore, then the devnet's), `--fee`, `--wait`
 * for finality, `--node`/`--devnet`. A subclass only turns its flags into a payload (STYLE.md: thin commands).
 */
export const txFlags = {
  from: Flags.string({ description: "Signing key name", required: true }),
  fee: Flags.string({ description: "Fee paid to the block proposer", default: "0" }),
  wait: Flags.boolean({ description: "Return once the transaction is final" }),
  timeout: Flags.integer({ description: "Seconds to wait with --wait (exit 3 after)", default: 30 }),
  password: passwordFlag,
  ...targetFlags,
};

export interface TxContext {
  key: LoadedKeypair;
  /** The consensus address derived from the --from key (its own validator, if it runs one). */
  ownValidator: () => Promise<Uint8Array>;
  /** A validator by fp1…/0x address, devnet node name, or on-chain name as `query validators` shows it. */
  validator: (text: string) => Promise<Uint8Array>;
  /** The node's client (product-layer commands read the committee, reports and epochs through it). */
  client: ReturnType<typeof clientFor>;
  /** Another key of the same keystores, by name (oracle member keys). */
  loadKey: (name: string) => Promise<LoadedKeypair>;
}

/** The largest amount a transaction can carry: amounts and fees are u64 on the wire (DESIGN.md). */
export const U64_MAX = 2n ** 64n - 1n;

/** `--amount`/`--fee`/`--stake`: a decimal u64, or a one-line user error (never a codec crash). */
export function parseAmount(name: string, v: string): bigint {
  if (!/^\d+$/.test(v))
    throw new UserError("BAD_AMOUNT", `--${name} must be a non-negative integer, got "${v}"`, {
      hint: `amounts are whole tokens, digits only (e.g. --${name} 10)`,
    });
  const n = BigInt(v);
  if (n > U64_MAX)
    throw new UserError("BAD_AMOUNT", `--${name} ${v} is above the largest amount (2^64-1)`, {
      hint: `amounts are 64-bit: at most ${U64_MAX}`,
    });
  return n;
}

export abstract class TxCommand extends BaseCommand {
  protected async submit(
    flags: {
      from: string;
      fee: string;
      wait: boolean;
      timeout: number;
      password?: string | undefined;
      node?: string | undefined;
      devnet?: string | undefined;
      home?: string | undefined;
    },
    build: (ctx: TxContext) => Promise<TxPayload> | TxPayload,
    /** Extra fields for the output (e.g. a transfer's recipient and amount). */
    describe?: (payload: TxPayload, sent: { from: string; nonce: bigint }) => Record<string, unknown>,
  ): Promise<void> {
    const fee = parseAmount("fee", flags.fee);
    const target = resolveTarget(flags.home, flags);
    const warn = (line: string) => this.note(line);
    const key = await keyByName(target.home, flags.from, target, flags.password, "account", warn);
    const payload = await build({
      key,
      client: clientFor(target.url),
      loadKey: (name) => keyByName(target.home, name, target, flags.password, "account", warn),
      ownValidator: async () =>
        addressBytes(
          (await keyByName(target.home, flags.from, target, flags.password, "consensus")).publicKey,
        ),
      validator: async (text) => {
        try {
          return parseValidator(text, target.devnet?.nodes);
        } catch (err) {
          // `query validators` shows names (v5, a moniker): accept them when exactly one validator has it.
          const byName = (await clientFor(target.url).validators()).validators.filter((v) => v.name === text);
          if (byName.length === 1)
            return decodeAddress((byName[0] as { consensusAddress: string }).consensusAddress);
          throw err;
        }
      },
    });
    const client = clientFor(target.url);
    const started = performance.now();
    const sent = await client.send({ secretKey: key.secretKey, payload, fee }).catch((err: unknown) => {
      // Say which key signed: "insufficient funds" means little when two keys are named alice (issue 19).
      if (isFastposError(err) && err.code !== "NODE_UNREACHABLE")
        err.message += ` (signed with key "${flags.from}" from the ${sourceLabel(key.found.source)}, ${key.address})`;
      throw err;
    });
    const result: Record<string, unknown> = {
      hash: sent.hash,
      type: payload.type,
      from: sent.from,
      ...describe?.(payload, sent),
      fee: fee.toString(),
      nonce: sent.nonce.toString(),
      status: "pending",
    };
    if (flags.wait) {
      try {
        const done = await client.waitForTx(sent.hash, { timeoutMs: flags.timeout * 1000 });
        Object.assign(result, {
          status: "committed",
          height: done.height,
          latencyMs: Math.round(performance.now() - started),
        });
      } catch (err) {
        if ((err as { code?: string }).code === "TIMEOUT") {
          throw new UserError(
            "TIMEOUT",
            `${payload.type} ${sent.hash} was not final within ${flags.timeout} s`,
            {
              data: { hash: sent.hash },
              hint: `it may still commit: \`fastpos query tx ${sent.hash}\` shows it; a longer --timeout waits more`,
            },
          );
        }
        throw err;
      }
    }
    this.emit(result, (r) => {
      this.log(`${r.status === "committed" ? "Final" : "Submitted"} ${r.type}: ${r.hash}`);
      if (r.status === "committed") this.log(`  block ${r.height}, ${r.latencyMs} ms after submission`);
    });
  }
}

/** A validator given as fp1… consensus address, 0x-hex address, or a devnet node name. */
export function parseValidator(text: string, nodes?: { name: string; validator: string }[]): Uint8Array {
  if (isValidAddress(text)) return decodeAddress(text);
  if (/^0x[0-9a-fA-F]{40}$/.test(text)) return fromHex(text, 20);
  const node = nodes?.find((n) => n.name === text);
  if (node) return decodeAddress(node.validator);
  throw new UserError(
    "BAD_VALIDATOR",
    `"${text}" is not a validator address (fp1… or 0x…), a devnet node name or a validator's name`,
    {
      hint: "see `fastpos query validators`",
    },
  );
}
