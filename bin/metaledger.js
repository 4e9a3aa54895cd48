#!/usr/bin/env node
// The package is built to dist/ on install (the `prepare` script); the CLI itself lives in src/cli/.
import '../dist/src/cli/bin.js';
