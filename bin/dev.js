#!/usr/bin/env -S node --import tsx --disable-warning=ExperimentalWarning
// Development entry point: runs the TypeScript sources in src/ through tsx, no build needed.
import { execute } from "@oclif/core";

// ignoreManifest: oclif.manifest.json describes the last build; sources may have newer commands.
await execute({ development: true, loadOptions: { root: import.meta.dirname, ignoreManifest: true } });
