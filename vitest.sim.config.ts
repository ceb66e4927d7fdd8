import { defineConfig } from "vitest/config";

/** Long deterministic simulator sweeps (`npm run test:sim`), kept out of the default suite. */
export default defineConfig({
  test: {
    include: ["test/sim/**/*.test.ts"],
    testTimeout: 600_000,
    pool: "forks",
  },
});
