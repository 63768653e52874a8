/** The HTTP application: routes `/api/*` and serves the built app for everything else. */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { SqliteDatabase } from './db/open.ts';
import { HttpError, sendError, sendJson } from './http/respond.ts';
import { Router } from './http/router.ts';
import { createStaticHandler } from './http/static.ts';
import type { Logger } from './log.ts';
import { addAuthRoutes } from './routes/auth.ts';
import { addRestRoutes } from './routes/rest.ts';
import { addSyncRoutes } from './routes/sync.ts';
import { createServices } from './services.ts';

export interface AppDeps {
  /** A migrated database (see db/migrate.ts). */
  db: SqliteDatabase;
  distDir: string;
  logger: Logger;
  /** Injected clock (ms), so tests control time. */
  now?: () => number;
}

export function createApp(deps: AppDeps): RequestListener {
  const services = createServices(deps.db, deps.logger, deps.now ?? Date.now);
  services.sessions.purgeExpired(services.now());
  const serveStatic = createStaticHandler(deps.distDir);
  const router = new Router().add('GET', '/api/health', ({ res }) => sendJson(res, 200, { ok: true }));
  addAuthRoutes(router, services);
  addSyncRoutes(router, services);
  addRestRoutes(router, services);

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
      deps.logger.error(`Unhandled error on ${req.method} ${url.pathname}`, err);
      if (!res.headersSent) sendError(res, 500, 'INTERNAL', 'Internal server error');
      else res.destroy();
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!url.pathname.startsWith('/api/')) return serveStatic(req, res, url.pathname);
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (match.kind === 'none') return sendError(res, 404, 'NOT_FOUND', `No API route ${req.method} ${url.pathname}`);
    if (match.kind === 'method') {
      res.setHeader('allow', match.allowed.join(', '));
      return sendError(res, 405, 'BAD_REQUEST', `${req.method} is not allowed on ${url.pathname}`);
    }
    await match.handler({ req, res, url, params: match.params });
  }
}
