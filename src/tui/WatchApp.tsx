import { useApp, useInput, useStdout } from "ink";
import { useEffect, useReducer, useState } from "react";
import { WatchView } from "./WatchView.js";
import type { WatchAction, WatchState } from "./watch-reducer.js";

export interface WatchAppProps {
  initial: WatchState;
  reducer: (s: WatchState, a: WatchAction) => WatchState;
  subscribe: (dispatch: (a: WatchAction) => void) => () => void;
  onNodeAction?: ((node: string, action: "kill" | "start" | "restart") => Promise<string>) | undefined;
}

/** The interactive `fastpos watch` app: reducer state, live data subscription and key bindings. */
export function WatchApp({ initial, reducer, subscribe, onNodeAction }: WatchAppProps) {
  const [state, dispatch] = useReducer(reducer, initial);
  const [now, setNow] = useState(Date.now());
  const { exit } = useApp();
  const { stdout } = useStdout();
  useEffect(() => subscribe(dispatch), [subscribe]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(t);
  }, []);
  useInput((input, key) => {
    if (state.confirm) {
      const pending = state.confirm;
      if (input === "y" && onNodeAction) {
        dispatch({ type: "key", key: "confirm" });
        dispatch({ type: "message", text: `${pending.action} ${pending.node}…` });
        onNodeAction(pending.node, pending.action).then(
          (r) => dispatch({ type: "message", text: `${pending.node}: ${r}` }),
          (err) => dispatch({ type: "message", text: `${pending.node}: ${(err as Error).message}` }),
        );
      } else dispatch({ type: "key", key: "cancel" });
      return;
    }
    if (input === "q" || (key.ctrl && input === "c")) exit();
    else if (input === "p") dispatch({ type: "key", key: "pause" });
    else if (input === "?") dispatch({ type: "key", key: "help" });
    else if (key.upArrow) dispatch({ type: "key", key: "up" });
    else if (key.downArrow) dispatch({ type: "key", key: "down" });
    else if (onNodeAction && input === "k") dispatch({ type: "key", key: "kill" });
    else if (onNodeAction && input === "s") dispatch({ type: "key", key: "start" });
    else if (onNodeAction && input === "r") dispatch({ type: "key", key: "restart" });
  });
  return <WatchView state={state} now={now} canControl={Boolean(onNodeAction)} rows={stdout.rows} />;
}
