import type { WatchAppProps } from "./WatchApp.js";

/**
 * Runs the interactive `fastpos watch` screen until the user quits. Ink, React and the components are
 * imported here, lazily, so other commands never pay for them (DESIGN.md §7: ≈0.3 s).
 */
export async function renderWatch(props: WatchAppProps): Promise<void> {
  const [{ render }, { createElement }, { WatchApp }] = await Promise.all([
    import("ink"),
    import("react"),
    import("./WatchApp.js"),
  ]);
  const app = render(createElement(WatchApp, props), { exitOnCtrlC: false });
  await app.waitUntilExit();
}
