/**
 * Starting a worker network's worker behind one small interface: its
 * events, and a terminate() after which nothing it says is an answer.
 * The worker starts from its script's text (src/platform/script-worker.ts):
 * a Web Worker where there is one (browsers, Deno, Bun), worker_threads in
 * Node.
 */
import { scriptWorkerKind, startScriptWorker } from '../platform/script-worker.js';

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
  const kind = scriptWorkerKind();
  if (!kind) throw new Error('createWorkerNetwork: this environment has neither Web Workers nor node:worker_threads');
  const worker = await startScriptWorker(addon + source, 'wasmlp', kind);
  const name = worker.threadId === undefined ? 'the wasmlp worker' : `the wasmlp worker (thread ${worker.threadId})`;
  let alive = true;
  worker.on('message', (data) => {
    if (alive) events.message(data);
  });
  worker.on('error', (error) => events.fatal(new Error(`${name} failed: ${error.message}`)));
  worker.on('messageerror', () => events.fatal(new Error(`${name} sent a message that could not be read`)));
  worker.on('exit', (code) => events.fatal(new Error(`${name} exited (code ${code})`)));
  return {
    post: (message, transfer) => worker.post(message, transfer),
    terminate: () => {
      alive = false;
      events.fatal(new Error(`${name} was terminated`));
      worker.terminate();
    },
    keepAlive: (active) => worker.keepAlive(active),
  };
}
