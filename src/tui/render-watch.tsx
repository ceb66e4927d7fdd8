import type { WatchAction, WatchState } from "./watch-reducer.js";

/**
 * Runs the interactive `fastpos watch` screen until the user quits. Ink and React are imported here,
 * lazily, so other commands never pay for them (DESIGN.md §7: ≈0.3 s).
 */
export async function renderWatch(o: {
  initial: WatchState;
  reducer: (s: WatchState, a: WatchAction) => WatchState;
  subscribe: (dispatch: (a: WatchAction) => void) => () => void;
  onNodeAction?: (node: string, action: "kill" | "start" | "restart") => Promise<string>;
}): Promise<void> {
  const [{ render, useApp, useInput }, React, { WatchView }] = await Promise.all([
    import("ink"),
    import("react"),
    import("./WatchView.js"),
  ]);
  const { useEffect, useReducer, useState } = React;

  function App() {
    const [state, dispatch] = useReducer(o.reducer, o.initial);
    const [now, setNow] = useState(Date.now());
    const { exit } = useApp();
    useEffect(() => o.subscribe(dispatch), []);
    useEffect(() => {
      const t = setInterval(() => setNow(Date.now()), 200);
      return () => clearInterval(t);
    }, []);
    useInput((input, key) => {
      if (state.confirm) {
        const pending = state.confirm;
        if (input === "y" && o.onNodeAction) {
          dispatch({ type: "key", key: "confirm" });
          dispatch({ type: "message", text: `${pending.action} ${pending.node}…` });
          o.onNodeAction(pending.node, pending.action).then(
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
      else if (o.onNodeAction && input === "k") dispatch({ type: "key", key: "kill" });
      else if (o.onNodeAction && input === "s") dispatch({ type: "key", key: "start" });
      else if (o.onNodeAction && input === "r") dispatch({ type: "key", key: "restart" });
    });
    return React.createElement(WatchView, { state, now, canControl: Boolean(o.onNodeAction) });
  }

  const app = render(React.createElement(App), { exitOnCtrlC: false });
  await app.waitUntilExit();
}
