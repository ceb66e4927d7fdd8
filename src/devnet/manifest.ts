import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import * as z from "zod";
import { ONE_SHOT } from "../core/chain/params-schema.js";
import { FastposError } from "../core/errors.js";
import { parseDurationMs } from "./duration.js";

/**
 * Devnet manifest (DESIGN.md §6, STYLE.md "schema → resolve → act"): what a user writes in
 * `devnets/*.yaml` or says with `devnet up` flags. `resolve.ts` turns it into concrete keys, genesis,
 * ports and node homes; providers then act on the resolved plan.
 */
const amount = z
  .union([
    z.string().regex(/^\d+$/, "must be a decimal integer"),
    z.int().nonnegative(),
    z.bigint().nonnegative(),
  ])
  .transform((v) => BigInt(v));

const ValidatorSpec = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,31}$/, "lowercase letters, digits and dashes")
      .optional(),
    stake: amount.optional(),
    workWeight: z.int().min(0).max(1_000_000).optional(),
  })
  .strict();

const AccountSpec = z
  .object({
    name: z.string().regex(/^[a-zA-Z][a-zA-Z0-9._-]{0,31}$/, "letters, digits, . _ -"),
    balance: amount,
  })
  .strict();

export const ManifestSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "lowercase letters, digits and dashes")
      .default("local"),
    chainId: z.string().min(1).max(64).optional(),
    preset: z.enum(["dev", "test", "mainnet-like"]).default("dev"),
    /**
     * Tokens minted into the reward pool per epoch (docs/product-layer.md). 0 by default, so a devnet's
     * supply stays constant unless it opts in (the `devnet test` supply invariant assumes no mint).
     */
    rewardPerEpoch: z
      // bigint too: `devnet up` parses an already parsed manifest again with its flags merged in.
      .union([z.bigint().min(0n), z.int().min(0), z.string().regex(/^\d+$/)])
      .transform((v) => BigInt(v))
      .refine((v) => v <= 1n << 40n, "at most 2^40")
      .default(0n),
    /** Epochs a work report stays open to challenges (and its reward vests); default: the preset's. */
    challengeWindowEpochs: z
      .union([z.bigint().min(0n), z.int().min(0).max(1000)])
      .transform((v) => BigInt(v))
      .refine((v) => v <= 1000n, "at most 1000")
      .optional(),
    provider: z.enum(["process", "docker", "swarm"]).default("process"),
    /** Docker provider settings (ignored by the process provider). */
    docker: z
      .object({
        network: z.enum(["bridge", "host"]).optional(),
        image: z.string().min(1).max(200).optional(),
      })
      .strict()
      .optional(),
    /** Keys are derived from this seed, so the same manifest gives the same addresses every run. */
    seed: z.string().default("fastpos"),
    validators: z.union([z.int().min(1).max(64), z.array(ValidatorSpec).min(1).max(64)]).default(5),
    accounts: z
      .array(AccountSpec)
      .default([
        { name: "alice", balance: 1_000_000_000_000n },
        { name: "bob", balance: 1_000_000_000_000n },
        { name: "carol", balance: 1_000_000_000_000n },
      ])
      .transform((a) => a as { name: string; balance: bigint }[]),
    /**
     * Idle mode: longest time between blocks when there is nothing to include (`1s`, `500ms`, or ms; 0 =
     * a block every commit wait). A tx always proposes at once. Default: 1s on the dev preset, else 0.
     */
    blockTime: z
      .union([
        z.int().min(0).max(3_600_000),
        z.string().refine((v) => {
          const ms = parseDurationMs(v);
          return ms !== null && ms <= 3_600_000;
        }, "a duration such as 1s, 500ms or 0 (at most 1h)"),
      ])
      .optional()
      .transform((v) =>
        v === undefined ? undefined : typeof v === "number" ? v : (parseDurationMs(v) as number),
      ),
    /**
     * Overrides of the preset's chain params, in genesis JSON form (u64s may be numbers here), e.g. a short
     * downtime window for a slashing test: `{signedBlocksWindow: 10, downtimeJailDuration: 6}`. Checked
     * with the genesis rules when the devnet is planned.
     */
    params: z
      .record(z.string(), z.union([z.string(), z.number(), z.record(z.string(), z.number())]))
      .optional(),
    /** Extra validator stake (default 1,000,000 each). */
    stake: amount.default(1_000_000n),
  })
  .strict();

export type Manifest = z.infer<typeof ManifestSchema>;

export type ManifestErrorType = { code: "MANIFEST_INVALID"; file: string; issues: string[] };
export class ManifestError extends FastposError<ManifestErrorType> {}

/** Validates a manifest object; issues name the key path. */
export function parseManifest(input: unknown, file = "(flags)"): Manifest {
  const r = ManifestSchema.safeParse(input ?? {}, ONE_SHOT);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) =>
    i.code === "unrecognized_keys"
      ? `unknown key ${i.keys.map((k) => `"${[...i.path, k].join(".")}"`).join(", ")}`
      : `${i.path.join(".") || "(root)"}: ${i.message}`,
  );
  throw new ManifestError(
    { code: "MANIFEST_INVALID", file, issues },
    `invalid devnet manifest ${file}: ${issues.join("; ")}`,
  );
}

/** Reads and validates a YAML manifest file. */
export function readManifest(file: string): Manifest {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, "utf8"));
  } catch (err) {
    throw new ManifestError(
      { code: "MANIFEST_INVALID", file, issues: [(err as Error).message] },
      `cannot read devnet manifest ${file}: ${(err as Error).message.split("\n")[0]}`,
      { cause: err },
    );
  }
  return parseManifest(raw, file);
}
