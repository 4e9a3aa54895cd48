#!/usr/bin/env node
// The package is built to dist/ on install (the `prepare` script); the CLI itself lives in src/cli/.
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
