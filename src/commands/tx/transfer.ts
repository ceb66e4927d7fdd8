import { Flags } from "@oclif/core";
import { BaseCommand } from "../../cli/base-command.js";
import { UserError } from "../../cli/errors.js";
import { passwordFlag } from "../../cli/flags.js";
import { clientFor, keyByName, resolveTarget, targetFlags } from "../../cli/target.js";
import { isValidAddress } from "../../core/crypto/index.js";

export default class TxTransfer extends BaseCommand {
  static override summary = "Send tokens; signs locally with a key from the keystore (or the devnet's keys).";
  static override examples = [
    "<%= config.bin %> tx transfer --from alice --to bob --amount 10 --wait",
    "<%= config.bin %> tx transfer --from alice --to fp1… --amount 1000 --fee 2 --node http://127.0.0.1:26660 --json",
  ];
  static override flags = {
    from: Flags.string({ description: "Sending key name", required: true }),
    to: Flags.string({ description: "Recipient fp1… address or key name", required: true }),
    amount: Flags.string({ description: "Amount (integer)", required: true }),
    fee: Flags.string({ description: "Fee paid to the block proposer", default: "0" }),
    wait: Flags.boolean({ description: "Return once the transfer is final (prints height and latency)" }),
    timeout: Flags.integer({ description: "Seconds to wait with --wait (exit 3 after)", default: 30 }),
    password: passwordFlag,
    ...targetFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(TxTransfer);
    for (const [k, v] of [
      ["amount", flags.amount],
      ["fee", flags.fee],
    ] as const) {
      if (!/^\d+$/.test(v))
        throw new UserError("BAD_AMOUNT", `--${k} must be a non-negative integer, got "${v}"`);
    }
    const target = resolveTarget(flags.home, flags);
    const key = await keyByName(target.home, flags.from, target.devnet?.name, flags.password);
    const to = isValidAddress(flags.to)
      ? flags.to
      : (await keyByName(target.home, flags.to, target.devnet?.name, flags.password)).address;
    const client = clientFor(target.url);
    const started = performance.now();
    const sent = await client.transfer({
      secretKey: key.secretKey,
      to,
      amount: BigInt(flags.amount),
      fee: BigInt(flags.fee),
    });
    const result: Record<string, unknown> = {
      hash: sent.hash,
      from: sent.from,
      to,
      amount: flags.amount,
      fee: flags.fee,
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
          throw new UserError("TIMEOUT", `transfer ${sent.hash} was not final within ${flags.timeout} s`, {
            data: { hash: sent.hash },
          });
        }
        throw err;
      }
    }
    this.emit(result, (r) => {
      this.log(`${r.status === "committed" ? "Final" : "Submitted"}: ${r.hash}`);
      if (r.status === "committed") this.log(`  block ${r.height}, ${r.latencyMs} ms after submission`);
    });
  }
}
