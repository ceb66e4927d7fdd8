/**
 * Git and file helpers of `npm run bench:compare` (bench/compare.ts): resolve a ref, check it out in a
 * temporary worktree, give it the working tree's node_modules as hard links when the lockfiles match, and
 * remove it again. Real git and a real file system; tested on a throwaway repo (test/unit/bench/worktree.test.ts).
 */
import { spawnSync } from "node:child_process";
import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { join } from "node:path";

function git(repo: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  return { ok: r.status === 0, out: r.stdout ?? "", err: (r.stderr ?? "").trim() };
}

/** The full commit id `ref` names in `repo`, or null when it names no commit (typo, unknown branch...). */
export function resolveCommit(repo: string, ref: string): string | null {
  // --end-of-options: a ref that looks like an option ("--help") is looked up, not obeyed.
  const r = git(repo, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
  return r.ok ? r.out.trim() : null;
}

/** "abc1234" or "abc1234 + uncommitted changes": what side B of a comparison is. */
export function describeWorkingTree(repo: string): string {
  const head = git(repo, ["rev-parse", "--short", "HEAD"]).out.trim() || "no commit";
  const dirty = git(repo, ["status", "--porcelain", "--untracked-files=no"]).out.trim() !== "";
  return dirty ? `${head} + uncommitted changes` : head;
}

/** Checks `commit` out, detached, into `dir` (which must not exist yet). Throws with git's message. */
export function addWorktree(repo: string, commit: string, dir: string): void {
  const r = git(repo, ["worktree", "add", "--detach", "--quiet", dir, commit]);
  if (!r.ok) throw new Error(`git worktree add failed: ${r.err.split("\n")[0]}`);
}

/**
 * Removes a worktree made by addWorktree, also one left half-made (then its directory goes and git forgets
 * it). Never throws: it runs on the way out of a failed or interrupted comparison.
 */
export function removeWorktree(repo: string, dir: string): void {
  if (!git(repo, ["worktree", "remove", "--force", dir]).ok) {
    rmSync(dir, { recursive: true, force: true });
    git(repo, ["worktree", "prune"]);
  }
}

/** True when `commit`'s package-lock.json has the same bytes as the working tree's (so its deps are ours). */
export function sameLockfile(repo: string, commit: string): boolean {
  const theirs = spawnSync("git", ["-C", repo, "show", `${commit}:package-lock.json`], {
    maxBuffer: 256 * 1024 * 1024,
  });
  const file = join(repo, "package-lock.json");
  return theirs.status === 0 && existsSync(file) && readFileSync(file).equals(theirs.stdout);
}

/**
 * Copies the tree at `src` to `dst` as hard links (directories are made, symlinks re-created as they are):
 * a node_modules "copy" in about a second that takes no disk space. Both must be on one file system.
 */
export function linkTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const name of readdirSync(src)) {
    const from = join(src, name);
    const to = join(dst, name);
    const st = lstatSync(from);
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (st.isDirectory()) linkTree(from, to);
    else linkSync(from, to);
  }
}
