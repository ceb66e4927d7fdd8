import { accessSync, constants, cpSync, existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { stringify as stringifyYaml } from "yaml";
import { writeFileAtomicSync } from "../../keystore/fs-atomic.js";
import { freePorts } from "../ports.js";
import { DevnetError, type DevnetFile, devnetDir, devnetRunning, readDevnet, writeDevnet } from "../state.js";
import { composeContainer, composeExport, composeProject, type ExportFile } from "./compose.js";
import { readExportInput } from "./input.js";
import { k8sExport } from "./k8s.js";

export const EXPORT_FORMATS = ["compose", "k8s"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOptions {
  format: string;
  out?: string | undefined;
  image?: string | undefined;
  /** Compose: name of the devnet record that attaches the CLI (default NAME-compose). */
  as?: string | undefined;
  /** K8s: namespace of every object. */
  namespace?: string | undefined;
}

export interface ExportResult {
  name: string;
  format: ExportFormat;
  out: string;
  files: string[];
  /** Compose: the devnet record the CLI attaches with (`--devnet RECORD`). */
  record?: string;
  endpoints?: { name: string; apiUrl: string }[];
}

function badOption(option: string, message: string, hint: string): DevnetError {
  return new DevnetError({ code: "DEVNET_BAD_OPTION", option, hint }, message);
}

/** Fails with one line + hint unless `out` is (or can be made) a writable directory. */
export function ensureWritableDir(out: string): void {
  try {
    if (existsSync(out) && !statSync(out).isDirectory()) throw new Error("not a directory");
    mkdirSync(out, { recursive: true });
    accessSync(out, constants.W_OK);
  } catch (err) {
    throw badOption(
      "out",
      `cannot write the export to ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      "give --out a directory you can write to",
    );
  }
}

function writeFiles(out: string, files: ExportFile[]): void {
  for (const f of files) {
    const p = join(out, f.path);
    mkdirSync(dirname(p), { recursive: true, mode: f.mode === 0o600 ? 0o700 : 0o755 });
    // SECURITY: key files are written 0600 from the start (atomic rename), never readable in between.
    writeFileAtomicSync(p, f.content, f.mode);
  }
}

/**
 * `fastpos devnet export NAME --format compose|k8s` (issue 20 items 2 and 4): the devnet's chain as files
 * another runtime runs. Compose also writes a devnet record (provider `compose`) pointing at the ports it
 * publishes, so `--devnet RECORD` works for tx, query, watch, bench, status, stop/start/kill and down.
 * @throws DevnetError DEVNET_BAD_OPTION (unknown format, unwritable out dir), DEVNET_NOT_FOUND
 */
export async function exportDevnet(home: string, name: string, o: ExportOptions): Promise<ExportResult> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(o.format))
    throw badOption(
      "format",
      `unknown export format "${o.format}"`,
      `use one of: ${EXPORT_FORMATS.join(", ")}`,
    );
  const format = o.format as ExportFormat;
  const d = readDevnet(home, name);
  const out = resolve(o.out ?? `${name}-${format}`);
  const input = readExportInput(home, d, o.image);
  if (format === "k8s") {
    ensureWritableDir(out);
    const files = k8sExport(input, { namespace: o.namespace ?? "default" });
    writeFiles(out, files);
    return { name, format, out, files: files.map((f) => f.path) };
  }
  const record = o.as ?? `${name}-compose`;
  if (record === name)
    throw badOption("as", `--as must differ from the exported devnet's name`, "pick another --as");
  if (existsSync(join(devnetDir(home, record), "devnet.json")) && devnetRunning(readDevnet(home, record)))
    throw new DevnetError(
      { code: "DEVNET_EXISTS", name: record },
      `devnet record "${record}" is in use; stop it with \`fastpos devnet down --devnet ${record}\` or pick another --as`,
    );
  ensureWritableDir(out);
  const ports = await freePorts(input.nodes.length);
  const files = composeExport(input, ports);
  files.push({ path: ".env", content: `COMPOSE_PROJECT_NAME=${composeProject(name)}\n`, mode: 0o644 });
  writeFiles(out, files);
  const attached: DevnetFile = {
    version: 1,
    name: record,
    chainId: d.chainId,
    provider: "compose",
    compose: { dir: out, project: composeProject(name), image: input.image },
    createdAt: new Date().toISOString(),
    nodes: input.nodes.map((n) => ({
      name: n.name,
      // The node's secrets dir: holds node-key.json and admin-token, as a home would (fault commands use them).
      home: join(out, "secrets", n.name),
      apiUrl: `http://127.0.0.1:${ports[n.index]}`,
      p2pUrl: `ws://${n.name}:26656`,
      pid: null,
      validator: n.validator,
      logFile: "",
      container: composeContainer(name, n.name),
    })),
    accounts: d.accounts,
  };
  mkdirSync(devnetDir(home, record), { recursive: true });
  writeDevnet(home, attached);
  // The funded accounts' keys, so `tx --devnet RECORD --from alice` signs as on the original devnet.
  const keys = join(devnetDir(home, name), "keys");
  if (existsSync(keys)) cpSync(keys, join(devnetDir(home, record), "keys"), { recursive: true });
  writeFileSync(
    join(devnetDir(home, record), "export.yaml"),
    stringifyYaml({ exportedFrom: name, format, out }),
  );
  return {
    name,
    format,
    out,
    files: files.map((f) => f.path),
    record,
    endpoints: attached.nodes.map((n) => ({ name: n.name, apiUrl: n.apiUrl })),
  };
}
