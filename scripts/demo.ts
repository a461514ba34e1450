/**
 * `npm run demo` (after its predemo, `npm run build`): serves the
 * playground from dist/demo on http://127.0.0.1:8080/ (or PORT; the next
 * free port if that one is taken) and prints the URL. Ctrl-C stops it.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from './bundles.js';
import { type StaticServer, serveStatic } from './serve.js';

const DEMO = path.join(ROOT, 'dist', 'demo');

async function listen(first: number): Promise<StaticServer> {
  for (let port = first; port < first + 20; port++) {
    try {
      return await serveStatic(DEMO, port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  return serveStatic(DEMO, 0);
}

await stat(path.join(DEMO, 'index.html')).catch(() => {
  throw new Error('dist/demo is missing: run `npm run build` (npm run demo does it first)');
});
const server = await listen(Number(process.env.PORT ?? 8080));
console.log(`wasmlp playground: ${server.url}`);
console.log('Ctrl-C to stop.');
