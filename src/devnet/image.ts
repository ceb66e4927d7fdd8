import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type Docker from "dockerode";
import tarStream from "tar-stream";
import { APP_ROOT } from "./app-root.js";
import { DevnetError } from "./state.js";

/**
 * The offline image build (DESIGN.md §6): no registry is reachable, so the node image is a rootfs made on
 * the host — the host's own `node` binary, the shared libraries `ldd` lists for it (and for native addons),
 * the built app and its production `node_modules` — streamed as a tarball into `docker import`.
 */

export { APP_ROOT };

/** Where things live inside the image. */
export const IMAGE_APP_DIR = "/app";
export const IMAGE_NODE = "/usr/local/bin/node";
/** Image label holding the content hash, so `devnet up` rebuilds when the app or node changed. */
export const CONTENT_LABEL = "org.fastpos.content";

export function defaultImageTag(root = APP_ROOT): string {
  const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string })
    .version;
  return `fastpos-node:${version}`;
}

function buildError(reason: string, hint: string): DevnetError {
  return new DevnetError(
    { code: "IMAGE_BUILD_IMPOSSIBLE", reason, hint },
    `cannot build the fastpos node image offline: ${reason}`,
  );
}

function walkFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walkFiles(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/**
 * Hash of everything that goes into the image: node version and arch, package.json and lock, bin/ and dist/.
 * Same inputs → same hash, so an image is rebuilt exactly when it would differ.
 */
export function contentHash(root = APP_ROOT): string {
  const h = createHash("sha256");
  h.update(`${process.version}\0${process.arch}\0${process.platform}\0`);
  const files = [
    join(root, "package.json"),
    ...["package-lock.json", "oclif.manifest.json"].map((f) => join(root, f)).filter((f) => existsSync(f)),
    ...walkFiles(join(root, "bin")),
    ...walkFiles(join(root, "dist")),
  ].sort();
  for (const f of files) {
    h.update(`${relative(root, f)}\0`);
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex");
}

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** Resolves `name` from `fromDir` the way Node does: nearest `node_modules/name` walking up to the root. */
function resolvePackageDir(name: string, fromDir: string, root: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
    // Skip over `node_modules` and `@scope` path segments to the next package directory.
    while (dir !== root && /(^|[\\/])(node_modules|@[^\\/]+)$/.test(dir)) dir = dirname(dir);
  }
}

/**
 * The production dependency closure: every package directory reachable from package.json's
 * `dependencies` (plus installed optional and peer dependencies), resolved like Node resolves them.
 * Dev dependencies (typescript, vitest, biome…) stay out of the image.
 */
export function productionPackages(root = APP_ROOT): string[] {
  const seen = new Set<string>();
  const visit = (pkgDir: string, name: string) => {
    if (seen.has(pkgDir)) return;
    seen.add(pkgDir);
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")) as PackageJson;
    const deps: [string, boolean][] = [
      ...Object.keys(pkg.dependencies ?? {}).map((d) => [d, true] as [string, boolean]),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((d) => [d, false] as [string, boolean]),
      ...Object.keys(pkg.peerDependencies ?? {}).map((d) => [d, false] as [string, boolean]),
    ];
    for (const [dep, req] of deps) {
      const dir = resolvePackageDir(dep, pkgDir, root);
      if (dir) visit(dir, dep);
      else if (req && pkgDir !== root) {
        throw buildError(
          `${dep} (needed by ${relative(root, pkgDir) || name}) is not installed`,
          "run `npm ci` first",
        );
      }
    }
  };
  const top = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;
  for (const dep of Object.keys(top.dependencies ?? {})) {
    const dir = resolvePackageDir(dep, root, root);
    if (!dir) throw buildError(`dependency ${dep} is not installed`, "run `npm ci` first");
    visit(dir, dep);
  }
  return [...seen].sort();
}

/** Absolute paths of the shared libraries `file` loads (ldd), including the dynamic loader. */
export function sharedLibraries(file: string): string[] {
  let out: string;
  try {
    out = execFileSync("ldd", [file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { code?: string; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") {
      throw buildError("`ldd` is not installed", "install it (Debian/Ubuntu: package libc-bin)");
    }
    // "not a dynamic executable": a static binary needs no libraries.
    if (/not a dynamic executable|statically linked/.test(`${e.stdout ?? ""}${e.stderr ?? ""}`)) return [];
    throw buildError(`ldd ${file} failed: ${String(e.stderr ?? err).trim()}`, "");
  }
  const libs: string[] = [];
  for (const line of out.split("\n")) {
    if (/not found/.test(line)) {
      throw buildError(`${file} needs a library that is missing: ${line.trim()}`, "");
    }
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m?.[1]) libs.push(m[1]);
  }
  return libs;
}

/** One entry of the image's root filesystem: a host path and where it goes in the image. */
export interface RootfsEntry {
  /** Absolute path inside the image, without the leading slash (tar names). */
  dest: string;
  type: "file" | "directory" | "symlink";
  /** Host file to read (files), link target (symlinks). */
  src?: string;
  linkname?: string;
  mode: number;
  size: number;
}

export interface RootfsPlan {
  entries: RootfsEntry[];
  files: number;
  bytes: number;
  packages: number;
}

/**
 * Plans the image's root filesystem: every entry in tar order (parents before children), read straight
 * from the host — no copy is staged on disk (a staged copy of node_modules costs seconds to write and more
 * to delete on slow disks).
 */
export function planRootfs(root = APP_ROOT): RootfsPlan {
  if (process.platform !== "linux") {
    throw buildError(
      `the offline build copies the host's node binary into a Linux image, and this host is ${process.platform}`,
      "build with templates/Dockerfile instead: docker build -f templates/Dockerfile -t fastpos-node:local .",
    );
  }
  if (!existsSync(join(root, "dist", "commands"))) {
    throw buildError(`${join(root, "dist")} is missing (the app is not built)`, "run `npm run build` first");
  }
  const packages = productionPackages(root);
  const entries: RootfsEntry[] = [];
  const dirs = new Set<string>();
  const addDir = (dest: string, mode = 0o755) => {
    if (!dest || dirs.has(dest)) return;
    addDir(dirname(dest) === "." ? "" : dirname(dest));
    dirs.add(dest);
    entries.push({ dest, type: "directory", mode, size: 0 });
  };
  const addFile = (src: string, dest: string, mode?: number) => {
    const st = statSync(src); // follows symlinks: libraries are copied as files (like cp -L)
    addDir(dirname(dest));
    entries.push({ dest, type: "file", src, mode: mode ?? st.mode & 0o7777, size: st.size });
  };
  /** A directory tree; `skip` prunes subtrees (nested node_modules are added as packages of their own). */
  const addTree = (src: string, dest: string, skip: (p: string) => boolean = () => false) => {
    addDir(dest);
    for (const e of readdirSync(src, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(src, e.name);
      const d = `${dest}/${e.name}`;
      if (skip(p)) continue;
      if (e.isDirectory()) addTree(p, d, skip);
      else if (e.isSymbolicLink()) {
        addDir(dest);
        entries.push({ dest: d, type: "symlink", linkname: readlinkSync(p), mode: 0o777, size: 0 });
      } else if (e.isFile()) addFile(p, d);
    }
  };
  const app = IMAGE_APP_DIR.slice(1);
  addFile(process.execPath, IMAGE_NODE.slice(1), 0o755);
  const natives = packages.flatMap((p) => walkFiles(p).filter((f) => f.endsWith(".node")));
  const libs = new Set<string>();
  for (const f of [process.execPath, ...natives.filter(isLoadableHere)]) {
    for (const l of sharedLibraries(f)) libs.add(l);
  }
  for (const l of [...libs].sort()) addFile(l, l.slice(1));
  addFile(join(root, "package.json"), `${app}/package.json`);
  // oclif's command manifest (written by `npm run build`): command lookup and help without importing every command.
  if (existsSync(join(root, "oclif.manifest.json"))) {
    addFile(join(root, "oclif.manifest.json"), `${app}/oclif.manifest.json`);
  }
  for (const p of ["bin", "dist", "templates"]) {
    if (existsSync(join(root, p))) addTree(join(root, p), `${app}/${p}`);
  }
  for (const p of packages) {
    const rel = relative(root, p).replaceAll("\\", "/");
    addTree(p, `${app}/${rel}`, (x) => x === join(p, "node_modules") || x === join(p, ".bin"));
  }
  addDir("tmp", 0o1777);
  const files = entries.filter((e) => e.type === "file");
  return {
    entries,
    files: files.length,
    bytes: files.reduce((s, e) => s + e.size, 0),
    packages: packages.length,
  };
}

/** Streams a planned rootfs as an uncompressed tar (root-owned), reading each file as it goes. */
export function packRootfs(plan: RootfsPlan): NodeJS.ReadableStream {
  const pack = tarStream.pack();
  const mtime = new Date(0);
  (async () => {
    for (const e of plan.entries) {
      const base = { name: e.dest, mode: e.mode, uid: 0, gid: 0, uname: "root", gname: "root", mtime };
      if (e.type === "directory") {
        await new Promise<void>((res, rej) =>
          pack.entry({ ...base, type: "directory" }, (err) => (err ? rej(err) : res())),
        );
      } else if (e.type === "symlink") {
        await new Promise<void>((res, rej) =>
          pack.entry({ ...base, type: "symlink", linkname: e.linkname ?? "" }, (err) =>
            err ? rej(err) : res(),
          ),
        );
      } else {
        await new Promise<void>((res, rej) => {
          const w = pack.entry({ ...base, type: "file", size: e.size }, (err) => (err ? rej(err) : res()));
          const r = createReadStream(e.src as string);
          r.on("error", rej);
          r.pipe(w);
        });
      }
    }
    pack.finalize();
  })().catch((err) => pack.destroy(err as Error));
  return pack;
}

/** Prebuilt addons for other platforms (darwin, win32, musl…) ship in packages too; only ours load here. */
function isLoadableHere(file: string): boolean {
  const p = file.replaceAll("\\", "/");
  if (/prebuilds\//.test(p))
    return p.includes(`/prebuilds/${process.platform}-${process.arch}/`) && !/musl/.test(p);
  return true;
}

export interface ImageBuildResult {
  tag: string;
  id: string;
  contentHash: string;
  files: number;
  bytes: number;
  packages: number;
  ms: number;
}

/** The `docker import` changes that make the rootfs a runnable image: `docker run IMAGE keys new` works. */
export function importChanges(hash: string): string[] {
  return [
    `ENTRYPOINT ["${IMAGE_NODE}", "${IMAGE_APP_DIR}/bin/run.js"]`,
    `CMD ["--help"]`,
    "ENV NODE_ENV=production",
    "ENV HOME=/tmp",
    // oclif asks the passwd database for the shell unless SHELL is set; the image has no passwd entry
    // for the host uid the node runs as.
    "ENV SHELL=/bin/sh",
    "ENV OCLIF_SKIP_NEW_VERSION_CHECK=true",
    "ENV PATH=/usr/local/bin:/usr/bin:/bin",
    `WORKDIR ${IMAGE_APP_DIR}`,
    `LABEL ${CONTENT_LABEL}=${hash}`,
  ];
}

/** `fastpos devnet image build`: plan the rootfs, stream it as a tarball into `docker import`. */
export async function buildImage(
  docker: Docker,
  opts: { tag?: string; root?: string; contentHash?: string; onProgress?: (m: string) => void } = {},
): Promise<ImageBuildResult> {
  const started = performance.now();
  const root = opts.root ?? APP_ROOT;
  const tag = opts.tag ?? defaultImageTag(root);
  const info = (await docker.info()) as { OSType?: string; Architecture?: string };
  const engineArch =
    { x86_64: "x64", aarch64: "arm64", arm64: "arm64" }[info.Architecture ?? ""] ?? info.Architecture;
  if (info.OSType && info.OSType !== "linux") {
    throw buildError(`the engine runs ${info.OSType} containers`, "switch the engine to Linux containers");
  }
  if (engineArch && engineArch !== process.arch) {
    throw buildError(
      `the engine is ${info.Architecture} and this host's node binary is ${process.arch}`,
      "build with templates/Dockerfile instead",
    );
  }
  const hash = opts.contentHash ?? contentHash(root);
  opts.onProgress?.("collecting the root filesystem");
  const plan = planRootfs(root);
  opts.onProgress?.(`importing ${(plan.bytes / 1e6).toFixed(0)} MB into ${tag}`);
  const tar = packRootfs(plan);
  const [repo, version] = splitTag(tag);
  const res = (await docker.importImage(
    tar as unknown as NodeJS.ReadableStream,
    {
      repo,
      tag: version,
      changes: importChanges(hash),
    } as object,
  )) as NodeJS.ReadableStream;
  const out = await readAll(res);
  const err = /"error(?:Detail)?"\s*:\s*(?:\{"message":)?"([^"]+)"/.exec(out);
  if (err) throw buildError(`docker import failed: ${err[1]}`, "");
  const img = await docker.getImage(tag).inspect();
  return {
    tag,
    id: img.Id,
    contentHash: hash,
    files: plan.files,
    bytes: plan.bytes,
    packages: plan.packages,
    ms: Math.round(performance.now() - started),
  };
}

function splitTag(tag: string): [string, string] {
  const i = tag.lastIndexOf(":");
  return i > tag.lastIndexOf("/") && i > 0 ? [tag.slice(0, i), tag.slice(i + 1)] : [tag, "latest"];
}

function readAll(s: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    s.on("data", (c: Buffer | string) => {
      buf += String(c);
    });
    s.on("end", () => resolve(buf));
    s.on("error", reject);
  });
}

/**
 * Makes sure `tag` exists before containers use it. The default tag is rebuilt when its content label no
 * longer matches the app (a newer build); an explicit `--image` is used as it is, and built only if missing.
 */
export async function ensureImage(
  docker: Docker,
  opts: { tag?: string | undefined; onProgress?: (m: string) => void },
): Promise<{ tag: string; built: ImageBuildResult | null }> {
  const explicit = opts.tag !== undefined;
  const tag = opts.tag ?? defaultImageTag();
  let labels: Record<string, string> | undefined;
  let oldId: string | undefined;
  try {
    const info = await docker.getImage(tag).inspect();
    labels = info.Config?.Labels ?? {};
    oldId = info.Id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
  const hash = contentHash();
  if (labels && (explicit || labels[CONTENT_LABEL] === hash)) return { tag, built: null };
  opts.onProgress?.(labels ? `image ${tag} is out of date; rebuilding` : `building image ${tag} (offline)`);
  const built = await buildImage(docker, {
    tag,
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  });
  // The replaced image is now untagged: remove it unless a container still uses it (the engine refuses then).
  if (oldId && oldId !== built.id)
    await docker
      .getImage(oldId)
      .remove()
      .catch(() => {});
  return { tag, built };
}
