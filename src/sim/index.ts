/** The deterministic simulator (DESIGN.md §1 `sim/`; docs/simulation.md). */
export * from "./config.js";
export * from "./options.js";
export * from "./render.js";
export * from "./run.js";
export * from "./scenario.js";
export { Simulator } from "./simulator.js";
export * from "./sweep.js";
export type { TraceLine } from "./types.js";
