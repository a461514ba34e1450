#!/usr/bin/env node
// The `wasmlp` command: runs the TypeScript command line from source through
// tsx (no build step). main() resolves to the exit code; setting exitCode
// rather than calling process.exit lets stdout drain when it is a pipe.
import { tsImport } from 'tsx/esm/api';

const { main } = await tsImport('../src/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
