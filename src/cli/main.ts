/**
 * The `wasmlp` command line. main(argv) runs one command and resolves to its
 * exit code, writing only to the given Io, so tests call it in-process; run
 * as a script (npm run wasmlp, bin/wasmlp.js) it uses the process's streams.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CommanderError } from 'commander';
import { type Io, processIo } from './io.js';
import { buildProgram } from './program.js';
import { escapeControls } from './text.js';

/** Runs `wasmlp <argv...>` (argv without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 1;
    }
    const repeated = repeatedOption(argv);
    if (repeated !== undefined) throw new Error(`${repeated} is given twice: give each option once`);
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    // commander has already printed its own errors (and --help, exit code 0).
    if (error instanceof CommanderError) return error.exitCode;
    io.stderr.write(`error: ${escapeControls(capped(oneLine(error instanceof Error ? error.message : String(error))))}\n`);
    return 1;
  }
}

/**
 * The first long option given twice. commander would keep the last value
 * without a word, and a repeated option is more often a slip (a command line
 * edited, a script's default overridden by accident) than a wish.
 */
function repeatedOption(argv: readonly string[]): string | undefined {
  const seen = new Set<string>();
  for (const arg of argv) {
    if (arg === '--') break;
    const name = /^--[a-z][a-z-]*(?==|$)/.exec(arg)?.[0];
    if (name === undefined) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return undefined;
}

/**
 * An error is one line on stderr, as docs/cli.md promises and scripts that
 * read it expect; a message can quote text with line breaks in it, such as
 * JSON.parse's, which shows the start of the file it failed on. (Other
 * control characters, from file and column names or cells, are escaped by
 * main(), so none reaches the terminal.)
 */
function oneLine(message: string): string {
  return message.replace(/\s*[\r\n]+\s*/g, ' ');
}

/**
 * Messages quote cells and names at most 100 characters each (text.ts); this
 * bounds the whole line too, whatever a message from elsewhere (the library,
 * Node) quotes, so no input can make an error a screenful.
 */
const MAX_MESSAGE = 2000;

function capped(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE)}… (${message.length} characters)`;
}

function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) process.exitCode = await main(process.argv.slice(2));
