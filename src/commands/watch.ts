import { readFileSync } from "node:fs";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../cli/base-command.js";
import { UserError } from "../cli/errors.js";
import { devnetFlag } from "../cli/flags.js";
import { isInteractive } from "../cli/io.js";
import { parseNodeUrl } from "../cli/target.js";
import { toHex } from "../core/codec/index.js";
import { decodeAddress, isValidAddress } from "../core/crypto/index.js";
import { controlNode } from "../devnet/control.js";
import { pickDevnet } from "../devnet/state.js";
import { resolveHome } from "../keystore/home.js";
import { actionAt, parseTrace } from "../tui/replay.js";
import { haltBanner, quorumHealth } from "../tui/watch-layout.js";
import { initialWatchState, type WatchAction, type WatchState, watchReducer } from "../tui/watch-reducer.js";
import { pollAll, startWatchSource, type WatchTarget } from "../tui/watch-source.js";

export default class Watch extends BaseCommand {
  static override summary = "Live view of consensus: rounds, votes per validator, blocks, nodes.";
  static override description =
    "On a terminal: an interactive screen (q quit, p pause, ↑↓ select, k/s/r kill/start/restart the selected " +
    "devnet node, ? help). Not on a terminal, or with --json: NDJSON, one event per line. --once prints a single " +
    "snapshot and exits.";
  static override examples = [
    "<%= config.bin %> watch",
    "<%= config.bin %> watch --devnet big",
    "<%= config.bin %> watch --node http://127.0.0.1:26660 --node http://127.0.0.1:26661",
    "<%= config.bin %> watch --once --json | jq .height",
    "<%= config.bin %> watch --json | head -20",
    "<%= config.bin %> watch --replay run.ndjson --speed 20",
  ];
  static override flags = {
    devnet: devnetFlag({
      description: "Devnet to watch [default: the only one]",
      exclusive: ["node", "replay"],
    }),
    node: Flags.string({
      description: "Node API URL (repeatable) instead of a devnet",
      multiple: true,
      exclusive: ["replay"],
    }),
    replay: Flags.string({
      description: "Play back a `fastpos sim --trace` file instead of watching nodes",
      helpValue: "FILE",
    }),
    speed: Flags.integer({ description: "--replay: virtual ms per wall ms", default: 10, min: 1 }),
    once: Flags.boolean({ description: "Print one snapshot and exit" }),
    interval: Flags.integer({ description: "Poll interval in ms", default: 250, min: 50 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Watch);
    if (flags.replay) return this.replay(flags.replay, flags.speed);
    const home = resolveHome(flags.home);
    let targets: WatchTarget[];
    let devnetName: string | undefined;
    if (flags.node?.length)
      targets = flags.node.map((url, i) => ({ name: `node${i}`, url: parseNodeUrl(url) }));
    else {
      const d = pickDevnet(home, flags.devnet);
      devnetName = d.name;
      targets = d.nodes.map((n) => ({
        name: n.name,
        url: n.apiUrl,
        ...(isValidAddress(n.validator) ? { validator: toHex(decodeAddress(n.validator)) } : {}),
      }));
    }
    if (!targets.length)
      throw new UserError("WATCH_NO_NODES", "nothing to watch", {
        hint: "pass --node URL, or start a devnet with `fastpos devnet up`",
      });
    let state: WatchState = initialWatchState(targets);
    const apply = (a: WatchAction) => {
      state = watchReducer(state, a);
    };

    if (flags.once) {
      await pollAll(targets, apply);
      // CI runs `watch --once` as a health check: no node answering must not exit 0 (issue 19 item 8).
      if (!state.nodes.some((n) => n.online))
        throw new UserError(
          "NODE_UNREACHABLE",
          `none of the ${targets.length} node(s) answered: ${targets.map((t) => t.url).join(", ")}`,
          {
            hint: "is the devnet running? see `fastpos devnet status` (start nodes with `fastpos devnet start --all`)",
          },
        );
      const { paused: _p, selected: _s, help: _h, confirm: _c, message: _m, ...rest } = state;
      const q = quorumHealth(state);
      // JSON conventions shared with `status` and the API: heights are decimal strings (u64), consensus
      // addresses 0x hex, account addresses fp1 (issue 19 item 10).
      const str = (h: number | null) => (h === null ? null : String(h));
      const snapshot = {
        ...rest,
        height: str(rest.height),
        nodes: rest.nodes.map((n) => ({ ...n, height: str(n.height) })),
        blocks: rest.blocks.map((b) => ({ ...b, height: String(b.height) })),
        quorum: q && {
          onlinePower: String(q.onlinePower),
          totalPower: String(q.totalPower),
          offlinePct: q.offlinePct,
          halted: q.halted,
          offline: q.offline,
        },
      };
      this.emit(snapshot, (s) => {
        this.log(
          `${s.chainId ?? "?"}: height ${s.height ?? "-"} round ${s.round ?? "-"} step ${s.step ?? "-"}`,
        );
        const banner = haltBanner(state);
        if (banner) this.log(banner);
        for (const v of s.validators)
          this.log(
            `  ${v.proposer ? "▶" : " "} ${v.name.padEnd(12)} power ${v.power.padEnd(10)} ${v.online ? "online" : "OFFLINE"}`,
          );
        for (const n of s.nodes)
          this.log(
            `  ${n.name.padEnd(12)} ${n.online ? "online " : "OFFLINE"} height ${n.height ?? "-"} peers ${n.peers ?? "-"}`,
          );
      });
      return;
    }

    if (this.jsonMode || !isInteractive()) {
      // NDJSON: status changes, blocks and raw node events, one JSON document per line, until interrupted.
      const last = new Map<string, string>();
      const source = startWatchSource(
        targets,
        (a) => {
          if (a.type === "consensus") return;
          if (a.type === "status" || a.type === "offline") {
            const key =
              a.type === "offline"
                ? "offline"
                : `${a.status.height}/${a.status.consensus.round}/${a.status.consensus.step}`;
            if (last.get(a.node) === key) return;
            last.set(a.node, key);
          }
          if (a.type === "newBlock") return;
          process.stdout.write(
            `${JSON.stringify({ ...a, time: new Date(a.type === "status" || a.type === "offline" ? a.at : Date.now()).toISOString() })}\n`,
          );
        },
        {
          intervalMs: flags.interval,
          raw: (node, e) => process.stdout.write(`${JSON.stringify({ node, ...e })}\n`),
        },
      );
      await new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
        process.stdout.on("error", () => resolve()); // e.g. `| head` closed the pipe
      });
      source.stop();
      return;
    }

    const { renderWatch } = await import("../tui/render-watch.js");
    await renderWatch({
      initial: state,
      reducer: watchReducer,
      subscribe: (dispatch) => {
        const source = startWatchSource(targets, dispatch, { intervalMs: flags.interval });
        return () => source.stop();
      },
      ...(devnetName
        ? {
            onNodeAction: async (node: string, action: "kill" | "start" | "restart") =>
              (await controlNode(home, pickDevnet(home, devnetName), node, action)).result,
          }
        : {}),
    });
  }

  /** `--replay FILE`: the TUI paced by the trace's virtual time, or frames as text / NDJSON off a TTY. */
  private async replay(file: string, speed: number): Promise<void> {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new UserError(
        "TRACE_UNREADABLE",
        `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`,
        {
          hint: "give a file written by `fastpos sim --trace FILE`",
        },
      );
    }
    const trace = parseTrace(text);
    if ("error" in trace)
      throw new UserError("TRACE_INVALID", `${file} line ${trace.line}: ${trace.error}`, {
        hint: "give a file written by `fastpos sim --trace FILE`",
      });
    let state: WatchState = initialWatchState(trace.nodes);
    if (this.jsonMode || !isInteractive()) {
      // One frame per block: the screen's state after it (NDJSON), or one line of text.
      for (const a of trace.actions) {
        state = watchReducer(state, a);
        if (a.type === "message") {
          if (this.jsonMode) process.stdout.write(`${JSON.stringify({ type: "message", text: a.text })}\n`);
          else this.log(`  ${a.text}`);
        }
        if (a.type !== "newBlock") continue;
        const b = state.blocks[0];
        if (this.jsonMode) {
          const { paused: _p, selected: _s, help: _h, confirm: _c, message: _m, nodes: _n, ...frame } = state;
          process.stdout.write(`${JSON.stringify({ type: "frame", at: a.at, ...frame })}\n`);
        } else if (b)
          this.log(
            `t=${a.at}ms height ${b.height} round ${b.round} txs ${b.txs} proposer ${b.proposer} latency ${b.latencyMs}ms`,
          );
      }
      const s = trace.summary as {
        safety?: { ok: boolean };
        liveness?: { ok: boolean };
        digest?: string;
      } | null;
      if (this.jsonMode) process.stdout.write(`${JSON.stringify({ type: "summary", report: s })}\n`);
      else if (s)
        this.log(
          `replayed ${state.blocks[0]?.height ?? 0} heights: safety ${s.safety?.ok ? "OK" : "VIOLATED"}, liveness ${s.liveness?.ok ? "OK" : "FAILED"}, digest ${s.digest}`,
        );
      return;
    }
    const { renderWatch } = await import("../tui/render-watch.js");
    const start = Date.now();
    await renderWatch({
      initial: state,
      reducer: (s, a) =>
        watchReducer(s, "at" in a && typeof a.at === "number" ? { ...a, at: start + a.at } : a),
      subscribe: (dispatch) => {
        let i = 0;
        let at = 0;
        let timer: NodeJS.Timeout | undefined;
        const next = () => {
          const due = (Date.now() - start) * speed;
          while (i < trace.actions.length && actionAt(trace.actions[i] as WatchAction, at) <= due) {
            const a = trace.actions[i++] as WatchAction;
            at = actionAt(a, at);
            dispatch(a);
          }
          if (i < trace.actions.length) timer = setTimeout(next, 50);
          else dispatch({ type: "message", text: "replay finished (q to quit)" });
        };
        next();
        return () => clearTimeout(timer);
      },
    });
  }
}
