/**
 * Starting a worker from the text of a self-contained script, in Node and
 * in browsers, behind one handle: the worker of a worker network
 * (src/worker/spawn.ts) and the workers of a threads pool
 * (src/backend/threads-workers.ts) both start here.
 *
 * Browsers get a Web Worker from a Blob URL of the text, rather than
 * `new Worker(new URL('./worker.js', import.meta.url))`. The URL form needs
 * every bundler to recognise the pattern and emit a second file (Vite and
 * webpack 5 do; esbuild, and Rollup without a plugin, do not), and a page
 * that imports dist/ from a static folder to serve that file next to it; the
 * Blob needs nothing from anyone. A page whose Content-Security-Policy
 * restricts worker-src must allow blob:. The worker is classic where it can
 * be, and a module worker where classic ones are refused (Deno): the
 * scripts have no import or export, so they run the same as either.
 *
 * Node gets worker_threads evaluating the same text as a CommonJS script,
 * after a prelude that gives it a port of the Web Worker's shape
 * (globalThis.wasmlpPort). The module is reached through the node-builtin
 * seam, so the library has no import of a Node built-in for a browser
 * bundler to resolve or stub.
 */
import { nodeBuiltin } from './node-builtin.js';
import { nodeProcess } from './runtime.js';

export interface ScriptWorker {
  /** Node's threadId, to name the worker in messages; undefined for a Web Worker. */
  readonly threadId: number | undefined;
  post(message: unknown, transfer?: Transferable[]): void;
  on(event: 'message', listener: (data: unknown) => void): void;
  /** The worker failed: an uncaught error (a Web Worker's is kept from the page's console). */
  on(event: 'error', listener: (error: Error) => void): void;
  /** A message from it could not be read. */
  on(event: 'messageerror', listener: () => void): void;
  /** Its thread has stopped (Node only: a browser tells nobody). */
  on(event: 'exit', listener: (code: number) => void): void;
  terminate(): void;
  /** Node: whether the worker keeps the process alive. */
  keepAlive(active: boolean): void;
}

/**
 * 'web' where there is a Worker global (browsers, Deno, Bun), else 'node'
 * where node:worker_threads is (Node), else undefined.
 */
export function scriptWorkerKind(): 'web' | 'node' | undefined {
  if (typeof Worker === 'function') return 'web';
  return nodeProcess() ? 'node' : undefined;
}

/** Starts `source` as a worker named `name`: a Web Worker or a worker_threads one, as `kind` says. */
export async function startScriptWorker(source: string, name: string, kind: 'web' | 'node'): Promise<ScriptWorker> {
  if (kind === 'node') return nodeWorker(await nodeBuiltin<WorkerThreads>('node:worker_threads'), source, name);
  return webWorker(source, name);
}

/** One Blob URL per script text, shared by every worker started from it. */
const blobUrls = new Map<string, string>();

function newWebWorker(url: string, name: string): Worker {
  try {
    return new Worker(url, { name });
  } catch (error) {
    // Deno: "Classic workers are not supported."
    if (!/classic/i.test(String((error as Error)?.message))) throw error;
    return new Worker(url, { name, type: 'module' });
  }
}

function webWorker(source: string, name: string): ScriptWorker {
  let url = blobUrls.get(source);
  if (!url) blobUrls.set(source, (url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))));
  const worker = newWebWorker(url, name);
  return {
    threadId: undefined,
    post: (message, transfer = []) => worker.postMessage(message, transfer),
    on(event: string, listener: (value: never) => void) {
      const call = listener as unknown as (value?: unknown) => void;
      if (event === 'message') worker.addEventListener('message', (e) => call(e.data));
      else if (event === 'messageerror') worker.addEventListener('messageerror', () => call());
      else if (event === 'error') {
        worker.addEventListener('error', (e) => {
          e.preventDefault();
          call(new Error(e.message || 'an error it did not describe'));
        });
      }
    },
    terminate: () => worker.terminate(),
    keepAlive: () => {},
  };
}

/** The slice of node:worker_threads used here (typed locally: the public types must not need @types/node). */
interface NodeWorker {
  readonly threadId: number;
  postMessage(message: unknown, transfer?: readonly Transferable[]): void;
  on(event: string, listener: (value: never) => void): void;
  terminate(): Promise<number>;
  ref(): void;
  unref(): void;
}

interface WorkerThreads {
  Worker: new (source: string, options: { eval: true; name?: string; execArgv?: string[] }) => NodeWorker;
}

/** Gives the script a port with the Web Worker's shape (postMessage, addEventListener('message', e => e.data)). */
const NODE_PRELUDE = `globalThis.wasmlpPort = ((port) => ({
  postMessage: (message, transfer) => port.postMessage(message, transfer),
  addEventListener: (_type, listener) => port.on('message', (data) => listener({ data })),
}))(require('node:worker_threads').parentPort);
`;

function nodeWorker(threads: WorkerThreads, source: string, name: string): ScriptWorker {
  const worker = new threads.Worker(NODE_PRELUDE + source, { eval: true, name, execArgv: scriptWorkerExecArgv() });
  return {
    threadId: worker.threadId,
    post: (message, transfer) => worker.postMessage(message, transfer),
    on: (event: string, listener: (value: never) => void) => worker.on(event, listener),
    terminate: () => void worker.terminate(),
    keepAlive: (active) => (active ? worker.ref() : worker.unref()),
  };
}

/**
 * Node options for an eval worker, whose text is a CommonJS script that
 * needs require. A worker inherits the process's options by default, and
 * Node then quietly leaves out those a worker cannot take (V8's, such as
 * --max-old-space-size, and the process's, such as --title); given
 * explicitly, any of those fails the worker (ERR_WORKER_INVALID_EXEC_ARGV).
 * So the options are inherited, unless one would make the text an ES module
 * (`node --input-type=module -e …` passes its flag on to workers): then the
 * worker gets none, which its script does not need.
 */
export function scriptWorkerExecArgv(): string[] | undefined {
  const execArgv = nodeProcess()?.execArgv;
  return execArgv?.some((flag) => /^--(input-type|experimental-default-type)(=|$)/.test(flag)) ? [] : undefined;
}
