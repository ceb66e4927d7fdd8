import { describe, expect, it } from "vitest";
import { closest, extraArguments } from "../../../src/cli/command-not-found.js";

const IDS = [
  "billing:close",
  "query:account",
  "query:status",
  "tx:transfer",
  "devnet:start",
  "devnet:status",
  "keys:new",
  "keys:list",
];

describe("the command a mistyped one was meant to be", () => {
  it("ignores words past a command's own (its arguments) and never matches an argument to a command", () => {
    expect(closest("query:accont:alice", IDS)).toBe("query:account");
    expect(closest("qurey:status", IDS)).toBe("query:status");
  });
  it("matches a lone word against commands' last words, and prefers a command the words begin", () => {
    expect(closest("tranfer", IDS)).toBe("tx:transfer");
    expect(closest("devnet:stat", IDS)).toBe("devnet:status");
  });
  it("suggests nothing when nothing is close", () => {
    expect(closest("foo", IDS)).toBeUndefined();
    expect(closest("compile:everything", IDS)).toBeUndefined();
  });
});

describe("a known command given arguments it does not take", () => {
  const commands = [
    { id: "keys:new", flags: ["name", "words"] },
    { id: "devnet:list", flags: ["json"] },
  ];
  it("names the command and the words, and the --name flag a lone word was probably meant for", () => {
    expect(extraArguments("keys:new:alice", commands)).toEqual({
      command: "keys:new",
      args: ["alice"],
      suggestion: "--name alice",
    });
    expect(extraArguments("devnet:list:a:b", commands)).toEqual({ command: "devnet:list", args: ["a", "b"] });
  });
  it("is not a match for an unknown command", () =>
    expect(extraArguments("tx:tranfer", commands)).toBeUndefined());
});
