import { isInteractive } from "./io.js";

/** A spinner on stderr, only on an interactive terminal and never with --json (DESIGN.md §6). */
export function spinner(enabled: boolean) {
  const on = enabled && isInteractive();
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let text = "";
  let i = 0;
  const timer = on
    ? setInterval(() => process.stderr.write(`\r${frames[i++ % frames.length]} ${text}\u001b[K`), 80)
    : undefined;
  return {
    update(t: string) {
      text = t;
    },
    stop() {
      if (timer) {
        clearInterval(timer);
        process.stderr.write("\r\u001b[K");
      }
    },
  };
}
