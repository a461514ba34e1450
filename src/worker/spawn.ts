/**
 * Starting the worker, in a browser or in Node, behind one small interface.
 *
 * Browsers get a classic Web Worker from a Blob URL of the worker bundle's
 * text (worker-source.ts), rather than `new Worker(new URL('./worker.js',
 * import.meta.url))`. The URL form needs every bundler to recognise the
 * pattern and emit a second file (Vite and webpack 5 do; esbuild, and
 * Rollup without a plugin, do not), and a page that imports dist/ from a static folder to
 * serve that file next to it; the Blob needs nothing from anyone. The costs:
 * the worker's code travels inside the library as a string (about a third
 * of the minified build, gzipped; the kernels are posted to the worker, not
 * embedded a second time), and a page whose Content-Security-Policy restricts
 * worker-src must allow blob:.
 *
 * Node gets worker_threads, evaluating the same text. The module is reached
 * through process.getBuiltinModule (Node >= 20.16), so the library has no
 * import of a Node built-in for a browser bundler to resolve or stub; older
 * Node falls back to a dynamic import() that bundlers are told to ignore.
 */
import { scriptWorkerExecArgv } from '../backend/script-worker-argv.js';

export interface WorkerEvents {
  message(data: unknown): void;
  /** The worker failed, exited or was terminated: every pending call fails with this (the first one). */
  fatal(error: Error): void;
}

export interface WorkerHandle {
  post(message: unknown, transfer: Transferable[]): void;
  /**
   * Stops the worker. It is dead to its caller at once (fatal is called
   * before this returns): a reply it may still post is never delivered as
   * an answer, so what was pending rejects whatever the worker was doing.
   */
  terminate(): void;
  /** Node: whether the worker keeps the process alive (only while calls are pending). */
  keepAlive(active: boolean): void;
}

/** `addon`: a script to run first, the threads add-on (src/worker/threads-addon.ts) for a network on several threads. */
export async function spawnWorker(source: string, events: WorkerEvents, addon = ''): Promise<WorkerHandle> {
  if (typeof Worker === 'function') return spawnWebWorker(addon, source, events);
  const threads = await nodeWorkerThreads();
  if (threads) return spawnNodeWorker(threads, addon + source, events);
  throw new Error('createWorkerNetwork: this environment has neither Web Workers nor node:worker_threads');
}

/** One Blob URL per page and add-on (none, or the threads'), shared by every worker network. */
const blobUrls = new Map<string, string>();

function spawnWebWorker(addon: string, source: string, events: WorkerEvents): WorkerHandle {
  let blobUrl = blobUrls.get(addon);
  if (!blobUrl) blobUrls.set(addon, blobUrl = URL.createObjectURL(new Blob([addon, source], { type: 'text/javascript' })));
  const worker = new Worker(blobUrl, { name: 'wasmlp' });
  let alive = true;
  worker.addEventListener('message', (event) => { if (alive) events.message(event.data); });
  worker.addEventListener('error', (event) => {
    event.preventDefault();
    events.fatal(new Error(`the wasmlp worker failed: ${event.message || 'an error it did not describe'}`));
  });
  worker.addEventListener('messageerror', () => events.fatal(new Error('the wasmlp worker sent a message that could not be read')));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate: () => {
      alive = false;
      events.fatal(new Error('the wasmlp worker was terminated'));
      worker.terminate();
    },
    keepAlive: () => {},
  };
}

/** The slice of node:worker_threads used here (typed locally: the public types must not need @types/node). */
interface NodeWorker {
  readonly threadId: number;
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  on(event: 'message', listener: (data: unknown) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  on(event: 'exit', listener: (code: number) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; name?: string; execArgv?: string[] }) => NodeWorker;
}

interface NodeProcess {
  versions?: { node?: string };
  getBuiltinModule?: (id: string) => unknown;
}

async function nodeWorkerThreads(): Promise<WorkerThreads | undefined> {
  const process = (globalThis as { process?: NodeProcess }).process;
  if (!process?.versions?.node) return undefined;
  if (process.getBuiltinModule) return process.getBuiltinModule('node:worker_threads') as WorkerThreads;
  return (await importIgnoredByBundlers('node:worker_threads')) as WorkerThreads;
}

/** A parameter, not a literal, and the bundlers' own opt-out comments: nothing tries to bundle it. */
function importIgnoredByBundlers(specifier: string): Promise<unknown> {
  return import(/* webpackIgnore: true */ /* @vite-ignore */ specifier);
}

/**
 * Prepended to the worker's text in Node: gives worker.ts a port with the
 * Web Worker's shape (postMessage, addEventListener('message', e => e.data)).
 * An eval worker runs as a CommonJS script, where require exists.
 */
const NODE_PRELUDE = `globalThis.wasmlpPort = ((port) => ({
  postMessage: (message, transfer) => port.postMessage(message, transfer),
  addEventListener: (_type, listener) => port.on('message', (data) => listener({ data })),
}))(require('node:worker_threads').parentPort);
`;

function spawnNodeWorker(threads: WorkerThreads, source: string, events: WorkerEvents): WorkerHandle {
  const worker = new threads.Worker(NODE_PRELUDE + source, { eval: true, name: 'wasmlp', execArgv: scriptWorkerExecArgv() });
  const name = `the wasmlp worker (thread ${worker.threadId})`;
  let alive = true;
  worker.on('message', (data) => { if (alive) events.message(data); });
  worker.on('error', (error) => events.fatal(new Error(`${name} failed: ${error.message}`)));
  worker.on('exit', (code) => events.fatal(new Error(`${name} exited (code ${code})`)));
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    terminate: () => {
      alive = false;
      events.fatal(new Error(`${name} was terminated`));
      void worker.terminate();
    },
    keepAlive: (active) => (active ? worker.ref() : worker.unref()),
  };
}
