import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addWorktree,
  describeWorkingTree,
  linkTree,
  removeWorktree,
  resolveCommit,
  sameLockfile,
} from "../../../bench/worktree.js";

// A throwaway repository with two commits: the second changes package-lock.json.
let tmp: string;
let repo: string;
let first: string;
let second: string;
const git = (...args: string[]) =>
  execFileSync("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com", ...args], {
    encoding: "utf8",
  }).trim();

beforeAll(() => {
  tmp = realpathSync(mkdtempSync(join(tmpdir(), "fastpos-worktree-test-")));
  repo = join(tmp, "repo");
  mkdirSync(repo);
  git("init", "--quiet", "-b", "main");
  writeFileSync(join(repo, "package-lock.json"), '{"v":1}\n');
  git("add", ".");
  git("commit", "--quiet", "-m", "one");
  first = git("rev-parse", "HEAD");
  writeFileSync(join(repo, "package-lock.json"), '{"v":2}\n');
  git("commit", "--quiet", "-am", "two");
  second = git("rev-parse", "HEAD");
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("bench:compare worktree helpers", () => {
  it("resolves branches, short ids and relative refs to a commit, and nothing else", () => {
    expect(resolveCommit(repo, "main")).toBe(second);
    expect(resolveCommit(repo, "HEAD~1")).toBe(first);
    expect(resolveCommit(repo, first.slice(0, 7))).toBe(first);
    expect(resolveCommit(repo, "no-such-branch")).toBeNull();
    expect(resolveCommit(repo, "HEAD~5")).toBeNull();
    expect(resolveCommit(repo, "--help")).toBeNull();
    expect(resolveCommit(repo, "main:package-lock.json")).toBeNull(); // a blob, not a commit
  });

  it("says whether the working tree has uncommitted changes", () => {
    expect(describeWorkingTree(repo)).toBe(second.slice(0, 7));
    writeFileSync(join(repo, "package-lock.json"), '{"v":3}\n');
    expect(describeWorkingTree(repo)).toBe(`${second.slice(0, 7)} + uncommitted changes`);
    git("checkout", "--quiet", "--", "package-lock.json");
  });

  it("compares a commit's lockfile with the working tree's", () => {
    expect(sameLockfile(repo, second)).toBe(true);
    expect(sameLockfile(repo, first)).toBe(false);
  });

  it("checks a commit out in a detached worktree and removes it again", () => {
    const dir = join(tmp, "wt1");
    addWorktree(repo, first, dir);
    expect(readFileSync(join(dir, "package-lock.json"), "utf8")).toBe('{"v":1}\n');
    expect(git("worktree", "list")).toContain(dir);
    writeFileSync(join(dir, "build-output"), "x"); // untracked files do not stop --force
    removeWorktree(repo, dir);
    expect(existsSync(dir)).toBe(false);
    expect(git("worktree", "list")).not.toContain(dir);
  });

  it("removes a worktree left half-made, and git forgets it", () => {
    const dir = join(tmp, "wt2");
    addWorktree(repo, first, dir);
    rmSync(join(dir, ".git")); // what an interrupted run can leave: git no longer sees a worktree there
    removeWorktree(repo, dir);
    expect(existsSync(dir)).toBe(false);
    expect(git("worktree", "list")).not.toContain(dir);
  });

  it("fails with git's message when the target is taken", () => {
    const dir = join(tmp, "taken");
    mkdirSync(dir);
    writeFileSync(join(dir, "f"), "x");
    expect(() => addWorktree(repo, first, dir)).toThrow(/^git worktree add failed: .*already exists/);
  });

  it("copies a tree as hard links, with symlinks kept as symlinks", () => {
    const src = join(tmp, "nm");
    mkdirSync(join(src, "pkg", "lib"), { recursive: true });
    mkdirSync(join(src, ".bin"));
    writeFileSync(join(src, "pkg", "lib", "index.js"), "export {}\n");
    symlinkSync("../pkg/lib/index.js", join(src, ".bin", "tool"));
    const dst = join(tmp, "nm-copy");
    linkTree(src, dst);
    const a = statSync(join(src, "pkg", "lib", "index.js"));
    const b = statSync(join(dst, "pkg", "lib", "index.js"));
    expect(b.ino).toBe(a.ino);
    expect(b.nlink).toBe(2);
    expect(readlinkSync(join(dst, ".bin", "tool"))).toBe("../pkg/lib/index.js");
    expect(readFileSync(join(dst, ".bin", "tool"), "utf8")).toBe("export {}\n");
  });
});
