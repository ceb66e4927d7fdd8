#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Development entry point: runs the TypeScript sources in src/ through tsx, no build needed.
import { execute } from "@oclif/core";

await execute({ development: true, dir: import.meta.url });
