/**
 * A small static file server (node:http) for the demo and the browser
 * tests: GET and HEAD under one folder, on 127.0.0.1, nothing cached.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

export interface StaticServer {
  url: string;
  /** Every path requested, in order (the tests check what a page fetched). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `root` on 127.0.0.1:`port` (0: any free port), every response with
 * `headers` besides its own (the threads test's page must be cross-origin
 * isolated: Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy).
 */
export async function serveStatic(root: string, port = 0, headers: Record<string, string> = {}): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer(async (request, response) => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    requests.push(pathname);
    const file = path.join(root, path.normalize(pathname));
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405).end();
      return;
    }
    // path.join has resolved any '..': what is left must still be under root.
    if (file !== root && !file.startsWith(root + path.sep)) {
      response.writeHead(403).end();
      return;
    }
    try {
      let target = file;
      if ((await stat(target)).isDirectory()) target = path.join(target, 'index.html');
      const { size } = await stat(target);
      response.writeHead(200, {
        ...headers,
        'Content-Type': TYPES[path.extname(target)] ?? 'application/octet-stream',
        'Content-Length': size,
        'Cache-Control': 'no-store',
      });
      if (request.method === 'HEAD') response.end();
      else createReadStream(target).pipe(response);
    } catch {
      response.writeHead(404, { 'Content-Type': 'text/plain' }).end(`Not found: ${pathname}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the static server has no address');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
