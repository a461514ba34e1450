#!/usr/bin/env node
// The `wasmlp` command. From an installed or built package it runs
// dist/cli.js (`npm run build`); in a source checkout without dist/, the
// TypeScript through tsx. main() resolves to the exit code; setting exitCode
// rather than calling process.exit lets stdout drain when it is a pipe.
import { existsSync } from 'node:fs';

const built = new URL('../dist/cli.js', import.meta.url);
const { main } = existsSync(built)
  ? await import(built.href)
  : await (await import('tsx/esm/api')).tsImport('../src/cli/main.ts', import.meta.url);
process.exitCode = await main(process.argv.slice(2));
