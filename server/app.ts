/** The HTTP application: routes `/api/*` and serves the built app for everything else. */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HttpError, sendError, sendJson } from './http/respond.ts';
import { createStaticHandler } from './http/static.ts';
import type { SqliteDatabase } from './db/open.ts';
import type { Logger } from './log.ts';

export interface AppDeps {
  db: SqliteDatabase;
  distDir: string;
  logger: Logger;
  /** Injected clock (ms), so tests control time. */
  now?: () => number;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void;

export function createApp(deps: AppDeps): RequestListener {
  const serveStatic = createStaticHandler(deps.distDir);
  const api = new Map<string, RouteHandler>([
    ['GET /api/health', (_req, res) => sendJson(res, 200, { ok: true })],
  ]);

  return (req, res) => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    res.on('finish', () => {
      if (url.pathname.startsWith('/api/')) {
        deps.logger.request(req.method ?? '?', url.pathname, res.statusCode, performance.now() - started);
      }
    });
    void handle(req, res, url).catch((err: unknown) => {
      if (err instanceof HttpError) {
        if (!res.headersSent) sendError(res, err.status, err.code, err.message);
        return;
      }
      deps.logger.error('Unhandled error', err);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'Internal server error');
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, url.pathname);
    const handler = api.get(`${req.method} ${url.pathname}`);
    if (!handler) return sendError(res, 404, 'NOT_FOUND', `No API route ${req.method} ${url.pathname}`);
    await handler(req, res, url);
  }
}
