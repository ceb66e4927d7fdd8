/**
 * A product paying its validators and settling a user's bill end to end, through chain state only
 * (docs/product-layer.md). Run against a devnet (`fastpos devnet up`):
 *
 *   npx tsx docs/examples/product-settlement.ts            # FASTPOS_DEVNET / the only running devnet
 *
 * 1. a validator reports its epoch's work with a commitment to the evidence;
 * 2. the oracle committee (2 of oracle-0…2) attests a score → workWeight moves at the next boundary;
 * 3. the product user opens an escrow with a deposit; the validator invoices usage; the user settles;
 * 4. it prints the validator's rewards and the escrow left. Prints one JSON line at the end.
 */
import { createHash } from "node:crypto";
import { connectDevnet, decodeAddress } from "fastpos";

const sha256hex = (s: string) => `0x${createHash("sha256").update(s).digest("hex")}`;

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const { client, signers, nodes } = await connectDevnet();
const user = signers["product-user"];
const operator = signers.node1;
if (!user || !operator) throw new Error("this devnet has no product-user or node1 key");
const oracle = ["oracle-0", "oracle-1"].map((name, member) => ({
  member,
  secretKey: (signers[name] as { secretKey: Uint8Array }).secretKey,
}));
const validator = (await client.validators()).validators.find((v) => v.operator === operator.address);
if (!validator) throw new Error("node1 runs no validator");

// 1. Work report for the current epoch; the evidence document is the product's (here a stand-in).
const { epoch } = await client.validators();
const evidence = JSON.stringify({
  chainId: (await client.status()).chainId,
  epoch,
  validator: validator.consensusAddress,
  workUnits: "1200",
});
const report = await client.reportWork({
  secretKey: operator.secretKey,
  epoch: BigInt(epoch),
  validator: validator.consensusAddress,
  workUnits: 1200n,
  proofHash: sha256hex(evidence),
  uri: "https://proofs.example/report.json",
});
await client.waitForTx(report.hash);

// 2. The committee attests 1.5 (the chain bounds the step per epoch).
const onChain = await client.workReport(BigInt(epoch), validator.address);
const attest = await client.attest({
  secretKey: user.secretKey,
  oracle,
  epoch: BigInt(epoch),
  validator: validator.consensusAddress,
  score: 15_000,
  reportHash: onChain.reportHash,
});
await client.waitForTx(attest.hash);

// 3. Billing: escrow, invoice, settle.
const opened = await client.openEscrow({ secretKey: user.secretKey, deposit: 100_000n });
await client.waitForTx(opened.hash);
const invoice = await client.invoice({
  secretKey: operator.secretKey,
  escrow: opened.escrow,
  validator: decodeAddress(validator.consensusAddress),
  amount: 40_000n,
  usageHash: sha256hex("usage: 1200 requests"),
});
await client.waitForTx(invoice.hash);
const invoices = (await client.escrow(opened.escrow)).invoices.map((i) => i.id);
const before = BigInt((await client.account(operator.address)).balance);
const settled = await client.settle({ secretKey: user.secretKey, escrow: opened.escrow, invoices });
await client.waitForTx(settled.hash);
const after = BigInt((await client.account(operator.address)).balance);

// 4. workWeight after the boundary, rewards, escrow.
const weight = await waitFor("the new workWeight", async () => {
  const v = (await client.validators()).validators.find((x) => x.address === validator.address);
  return v && v.workWeight !== "10000" ? v.workWeight : undefined;
});
const escrow = await client.escrow(opened.escrow);
console.log(
  JSON.stringify({
    nodes: nodes.length,
    validator: validator.consensusAddress,
    workWeight: weight,
    paidToOperator: (after - before).toString(),
    escrow: opened.escrow,
    escrowBalance: escrow.balance,
    rewards: (await client.rewards(operator.address)).total,
    reportHash: onChain.reportHash,
    proofHash: sha256hex(evidence),
  }),
);
