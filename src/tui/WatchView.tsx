import { Box, Text } from "ink";
import { type Fit, fitRows, haltBanner } from "./watch-layout.js";
import {
  type BlockRow,
  sinceLastBlock,
  sparkline,
  type ValidatorRow,
  type VoteMark,
  type WatchState,
} from "./watch-reducer.js";

/**
 * The `fastpos watch` screen: header, vote matrix, recent blocks, nodes, key help. Pure rendering of
 * `WatchState` (no I/O), so ink-testing-library can render recorded states.
 */
const MARK: Record<VoteMark, { ch: string; color: string }> = {
  block: { ch: "●", color: "green" },
  nil: { ch: "○", color: "yellow" },
  missing: { ch: "·", color: "gray" },
};

function Vote({ m }: { m: VoteMark }) {
  return <Text color={MARK[m].color}>{MARK[m].ch}</Text>;
}

function Header({ s, now }: { s: WatchState; now: number }) {
  const since = sinceLastBlock(s, now);
  const bps = s.blockRate.length ? s.blockRate[s.blockRate.length - 1] : 0;
  const tps = s.txRate.length ? s.txRate[s.txRate.length - 1] : 0;
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold color="cyan">
          fastpos watch
        </Text>{" "}
        {s.chainId ?? "connecting…"} height <Text bold>{s.height ?? "-"}</Text> round{" "}
        <Text bold>{s.round ?? "-"}</Text> step <Text bold>{s.step ?? "-"}</Text> last block{" "}
        {since === null ? "-" : `${since.toFixed(1)}s ago`}
        {s.paused ? <Text color="magenta"> [paused]</Text> : null}
      </Text>
      <Text>
        blocks/s {(bps ?? 0).toFixed(1).padStart(5)} <Text color="cyan">{sparkline(s.blockRate)}</Text> tx/s{" "}
        {(tps ?? 0).toFixed(0).padStart(5)} <Text color="green">{sparkline(s.txRate)}</Text>
      </Text>
    </Box>
  );
}

function VoteMatrix({ s, fit }: { s: WatchState; fit: Fit }) {
  const shown = s.validators.slice(0, fit.validators);
  const hidden = s.validators.length - shown.length;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
        {"VALIDATOR".padEnd(14)}
        {"POWER".padEnd(10)}
        {"WORK".padEnd(6)}
        {"REWARDS".padEnd(12)}
        {"".padEnd(9)}
        {s.rounds.map((r) => `r${r.round} pv pc  `).join("")}
      </Text>
      {shown.map((v: ValidatorRow) => (
        <Text key={v.address}>
          <Text color={v.proposer ? "cyan" : "white"} bold={v.proposer}>
            {`${v.proposer ? "▶ " : "  "}${v.name}`.padEnd(14)}
          </Text>
          {v.power.padEnd(10)}
          {v.workWeight.padEnd(6)}
          {v.rewards.padEnd(12)}
          <Text color={v.online ? "green" : "red"}>{(v.online ? "online" : "OFFLINE").padEnd(9)}</Text>
          {v.votes.map((x) => (
            <Text key={x.round}>
              {"   "}
              <Vote m={x.prevote} />
              {"  "}
              <Vote m={x.precommit} />
              {"  "}
            </Text>
          ))}
          {v.slashed !== "0" ? <Text color="red"> slashed {v.slashed}</Text> : null}
        </Text>
      ))}
      <Text color="gray">
        {"".padEnd(39)}
        {s.rounds
          .map(
            (r) =>
              `${r.prevoteQuorum ? "✓" : " "}${String(Math.round(r.prevotePct)).padStart(3)}%${r.precommitQuorum ? "✓" : " "}${String(Math.round(r.precommitPct)).padStart(3)}% `,
          )
          .join("")}
        {s.rounds.length ? "  (>2/3 ✓)" : ""}
        {hidden > 0 ? `  +${hidden} more validators` : ""}
      </Text>
    </Box>
  );
}

/** Jailed validators (out of the active set, so not in the matrix) and the latest evidence. */
function Slashing({ s }: { s: WatchState }) {
  if (!s.jailed.length && !s.evidence.length) return null;
  return (
    <Box flexDirection="column" marginTop={1}>
      {s.jailed.map((j) => (
        <Text key={j.address} color="red">
          {`  ${j.name}`.padEnd(14)}
          {(j.tombstoned ? "TOMBSTONED" : "JAILED").padEnd(12)}
          {j.slashed !== "0" ? `slashed ${j.slashed}` : ""}
        </Text>
      ))}
      {s.evidence.map((e) => (
        <Text key={`${e.validator}/${e.kind}/${e.height}/${e.round}`} color="magenta">
          {`! evidence: ${e.name} double-signed a ${e.kind} at h${e.height}/r${e.round}`}
          {e.committedAt === null ? " (pending)" : ` (committed in block ${e.committedAt})`}
        </Text>
      ))}
    </Box>
  );
}

function Blocks({ blocks }: { blocks: BlockRow[] }) {
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold>
        {"HEIGHT".padEnd(9)}
        {"HASH".padEnd(14)}
        {"TXS".padEnd(7)}
        {"ROUND".padEnd(7)}
        {"LATENCY".padEnd(9)}PROPOSER
      </Text>
      {blocks.map((b) => (
        <Text key={b.height}>
          {String(b.height).padEnd(9)}
          {b.hash.slice(0, 12).padEnd(14)}
          {String(b.txs).padEnd(7)}
          {String(b.round).padEnd(7)}
          {`${b.latencyMs} ms`.padEnd(9)}
          {b.proposer}
        </Text>
      ))}
    </Box>
  );
}

function Nodes({ s, fit }: { s: WatchState; fit: Fit }) {
  // Keep the selected node in view when the list is cut to fit the terminal.
  const first = Math.max(0, Math.min(s.selected - fit.nodes + 1, s.nodes.length - fit.nodes));
  return (
    <Box flexDirection="column" marginTop={1}>
      {s.nodes
        .slice(first, first + fit.nodes)
        .map((n, j) => ({ n, i: first + j }))
        .map(({ n, i }) => (
          <Text key={n.name} inverse={i === s.selected}>
            {`${i === s.selected ? "›" : " "} ${n.name}`.padEnd(12)}
            <Text color={n.online ? "green" : "red"}>{(n.online ? "online" : "OFFLINE").padEnd(9)}</Text>
            {`h ${n.height ?? "-"}`.padEnd(10)}
            {`peers ${n.peers ?? "-"}`.padEnd(10)}
            {`mempool ${n.mempool ?? "-"}`}
          </Text>
        ))}
    </Box>
  );
}

export function WatchView({
  state,
  now,
  canControl,
  rows,
}: {
  state: WatchState;
  now: number;
  canControl: boolean;
  /** Terminal height: the lists are cut so the header never scrolls off (undefined: show everything). */
  rows?: number | undefined;
}) {
  const banner = haltBanner(state);
  const fit = fitRows(state.help ? undefined : rows, state, banner !== null);
  return (
    <Box flexDirection="column">
      <Header s={state} now={now} />
      {banner ? (
        <Text bold color="red">
          {banner}
        </Text>
      ) : null}
      <VoteMatrix s={state} fit={fit} />
      <Slashing s={state} />
      <Blocks blocks={state.blocks.slice(0, fit.blocks)} />
      <Nodes s={state} fit={fit} />
      <Box marginTop={1}>
        <Text color="gray">
          {state.message ? <Text color="yellow">{state.message} </Text> : null}q quit p pause ↑↓ select
          {canControl ? "  k kill  s start  r restart" : ""} ? help
        </Text>
      </Box>
      {state.help ? (
        <Box flexDirection="column" borderStyle="round" paddingX={1}>
          <Text>● vote for the proposed block ○ vote for nil · no vote seen ▶ proposer of the round</Text>
          <Text>pv/pc: prevote/precommit per round; ✓ marks more than 2/3 of the voting power.</Text>
          <Text>Latency: time from entering the height to committing the block.</Text>
        </Box>
      ) : null}
    </Box>
  );
}
