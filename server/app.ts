/**
 * The HTTP application on Fastify 5 and its official plugins: `/api/*` routes (zod schemas,
 * JSON bodies only, gzip request bodies accepted), compression of answers (brotli/gzip), security
 * headers, the origin rule for writes, rate limits, cookies, and the built app as static files.
 * Every API error is `{ success: false, error: { code, message } }`.
 */
import zlib from 'node:zlib';
import compress from '@fastify/compress';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyInstance, type HTTPMethods } from 'fastify';
import { SESSION_PURGE_INTERVAL_MS } from './auth/sessions.ts';
import type { ThrottleLimits } from './auth/throttle.ts';
import type { HttpConfig } from './config.ts';
import type { Database } from './db/engine.ts';
import { createErrorHandler, HttpError, sendError } from './http/errors.ts';
import { registerFaultInjection } from './http/fault-injection.ts';
import { registerJsonBodies } from './http/json-body.ts';
import { registerOriginRule, registerSecurityHeaders } from './http/security.ts';
import { registerStaticApp, serveAppShell } from './http/static-app.ts';
import { useZodValidation, type ApiApp, type ZodTypeProvider } from './http/zod.ts';
import type { Logger } from './log.ts';
import { addAuthRoutes } from './routes/auth.ts';
import { addRestRoutes } from './routes/rest.ts';
import { addSyncRoutes } from './routes/sync.ts';
import { createServices } from './services.ts';
import { createPruner } from './store/retention.ts';

export interface AppDeps {
  /** A migrated database (see db/migrate.ts). */
  db: Database;
  distDir: string;
  logger: Logger;
  /** Injected clock (ms), so tests control time. */
  now?: () => number;
  http?: Partial<HttpConfig>;
  /** Failed sign-in limits (auth/throttle.ts); tests lower them. */
  throttle?: ThrottleLimits;
  /** How often expired sessions and old sync bookkeeping are deleted (default hourly). */
  sessionPurgeIntervalMs?: number;
  /** How long the op log, temp ids and revisions are kept (store/retention.ts; default 180 days). */
  retentionMs?: number;
  /** Test-only fault modes (`FAULT_INJECTION=1`, http/fault-injection.ts). */
  faultInjection?: boolean;
}

/** Default body limit; push, sign-in and REST writes set their own. */
const BODY_LIMIT = 1024 * 1024;
const API_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const API_COMPRESSION = {
  threshold: 1024,
  // In one call rather than through a stream: cheaper, and at brotli 1 a 1.5 MB pull page takes ~7 ms.
  syncThreshold: 4 * 1024 * 1024,
  brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } },
  zlibOptions: { level: 1 },
};

/** Fastify's trustProxy: a hop count becomes "trust that many hops from this server". */
function trustProxyOption(value: HttpConfig['trustProxy']) {
  return typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;
}

export async function createApp(deps: AppDeps): Promise<FastifyInstance> {
  const { logger } = deps;
  const http: HttpConfig = { allowedOrigins: [], trustProxy: false, serveSourceMaps: false, ...deps.http };
  const services = createServices(deps.db, logger, deps.now ?? Date.now, deps.throttle);
  const app = Fastify({
    loggerInstance: logger.pino,
    // Our own `[Http]` line instead (below); errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(http.trustProxy),
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 200 },
    // A malformed URL (bad percent-encoding): our error body, not Fastify's (no hooks run for it).
    frameworkErrors: (error, _request, reply) =>
      void sendError(
        reply.header('x-content-type-options', 'nosniff').header('cache-control', 'no-store'),
        400,
        'BAD_REQUEST',
        error.message,
      ),
  }).withTypeProvider<ZodTypeProvider>() as unknown as ApiApp;

  useZodValidation(app);
  registerJsonBodies(app);
  app.setErrorHandler(createErrorHandler(logger));
  app.decorateRequest('user', null);

  await app.register(cookie);
  // API answers are made per request: compress them fast (brotli quality 1 is ~10× faster than the
  // plugin's default 4 on a push answer, at nearly its ratio; gzip level 1 for clients without
  // brotli). The built app keeps the defaults.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/') && route.compress === undefined) route.compress = API_COMPRESSION;
  });
  await app.register(compress, {
    global: true,
    threshold: 1024,
    encodings: ['br', 'gzip'],
    requestEncodings: ['gzip'],
    onUnsupportedRequestEncoding: (encoding: string) =>
      new HttpError(
        415,
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding "${encoding}" is not supported: send the body as is or gzip-compressed`,
      ),
  });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(429, 'RATE_LIMITED', `Too many requests: try again in ${context.after}`, {
        'retry-after': String(Math.ceil(context.ttl / 1000)),
      }),
    onExceeded: (request) =>
      logger.warn('[Http]', 'rate limit reached', {
        method: request.method,
        path: request.url.split('?')[0],
        ip: request.ip,
      }),
  });
  await registerSecurityHeaders(app, deps.distDir);
  registerOriginRule(app, http.allowedOrigins, logger);
  if (deps.faultInjection) registerFaultInjection(app);

  app.addHook('onSend', async (request, reply) => {
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });
  app.addHook('onResponse', async (request, reply) => {
    if (!request.url.startsWith('/api/')) return;
    logger.request({
      method: request.method,
      route: request.routeOptions.url ?? '(no route)',
      path: request.url.split('?')[0] ?? '',
      status: reply.statusCode,
      durationMs: reply.elapsedTime,
    });
  });

  // API routes, then a 405 (with Allow) for the other methods of each API path.
  const methodsByUrl = new Map<string, Set<string>>();
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/')) return;
    const methods = methodsByUrl.get(route.url) ?? new Set<string>();
    for (const method of [route.method].flat()) methods.add(method);
    methodsByUrl.set(route.url, methods);
  });
  app.get('/api/health', async () => ({ ok: true }));
  addAuthRoutes(app, services);
  addSyncRoutes(app, services);
  addRestRoutes(app, services);
  for (const [url, methods] of [...methodsByUrl]) {
    const others = API_METHODS.filter((m) => !methods.has(m));
    const allow = [...methods].join(', ');
    app.route({
      method: others,
      url,
      handler: async (request, reply) => {
        reply.header('allow', allow);
        return sendError(reply, 405, 'BAD_REQUEST', `${request.method} is not allowed on ${url}`);
      },
    });
  }

  await registerStaticApp(app, { distDir: deps.distDir, serveSourceMaps: http.serveSourceMaps });
  app.setNotFoundHandler(async (request, reply) => {
    if (request.url.startsWith('/api/')) {
      return sendError(reply, 404, 'NOT_FOUND', `No API route ${request.method} ${request.url.split('?')[0]}`);
    }
    return serveAppShell(deps.distDir, request, reply);
  });

  // Expired sessions go at start and then on a schedule (not only when the server restarts).
  const pruner = createPruner(deps.db, deps.retentionMs);
  const purge = async () => {
    try {
      const removed = await services.sessions.purgeExpired(services.now());
      if (removed > 0) logger.info('[Auth]', `purged ${removed} expired sessions`);
      const pruned = await pruner.prune(services.now());
      if (pruned.ops + pruned.revisions > 0) {
        logger.info(
          '[Server]',
          `pruned sync bookkeeping older than the retention window: ${pruned.ops} op-log entries (temp ids with them), ${pruned.revisions} revisions`,
        );
      }
    } catch (err) {
      logger.error('purging expired sessions failed', err);
    }
  };
  await purge();
  const timer = setInterval(() => void purge(), deps.sessionPurgeIntervalMs ?? SESSION_PURGE_INTERVAL_MS);
  timer.unref();
  app.addHook('onClose', async () => clearInterval(timer));

  await app.ready();
  return app;
}
