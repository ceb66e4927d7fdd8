#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/ (npm run build).
import { execute, settings } from "@oclif/core";

// Always the compiled code, whatever NODE_ENV says (tests run with NODE_ENV=test).
settings.enableAutoTranspile = false;
await execute({ dir: import.meta.url });
