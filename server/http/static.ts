/** Serves the built app from `distDir`, with the SPA fallback to index.html for app routes. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
};

async function fileIfExists(file: string): Promise<{ size: number } | null> {
  try {
    const s = await stat(file);
    return s.isFile() ? { size: s.size } : null;
  } catch {
    return null;
  }
}

export function createStaticHandler(distDir: string) {
  const root = path.resolve(distDir);
  return async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
      res.end('Method not allowed');
      return;
    }
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('Bad path');
      return;
    }
    let file = path.join(root, path.normalize(decoded));
    if (!file.startsWith(root)) {
      res.writeHead(403, { 'content-type': 'text/plain' });
      res.end('Forbidden');
      return;
    }
    let info = decoded.endsWith('/') ? null : await fileIfExists(file);
    if (!info) {
      // App routes (no file extension) get the shell; a missing asset is a real 404.
      if (path.extname(decoded) !== '') {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not found');
        return;
      }
      file = path.join(root, 'index.html');
      info = await fileIfExists(file);
      if (!info) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The app is not built yet: run `npm run build` (or `npm start`).');
        return;
      }
    }
    const ext = path.extname(file);
    const relative = path.relative(root, file);
    // Hashed assets never change; the worker, manifest and shell must be revalidated.
    const immutable = relative.startsWith('assets' + path.sep);
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...(relative === 'sw.js' ? { 'service-worker-allowed': '/' } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  };
}
