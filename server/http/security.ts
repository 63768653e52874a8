/**
 * Security headers (@fastify/helmet) and the origin rule for writes.
 *
 * Headers: a Content-Security-Policy the built app and its service worker run under (only the
 * app's own origin; the one inline `<style>` of index.html by its hash, read from the built file;
 * style attributes allowed, as Lit templates use them), `X-Content-Type-Options: nosniff`,
 * `frame-ancestors 'none'` + `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, and HSTS
 * only when the request came over HTTPS (directly, or through a proxy TRUST_PROXY trusts).
 * API answers get a fixed set (API_HEADERS) with `default-src 'none'`.
 *
 * Origin rule: a write (POST, PUT, PATCH, DELETE) carrying `Origin` must come from the server's
 * own origin or one in ALLOWED_ORIGINS; one whose `Sec-Fetch-Site` is `cross-site` is refused
 * either way. (That bodies must be `application/json` is the body parsers' rule: json-body.ts.)
 */
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import helmet from '@fastify/helmet';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../log.ts';
import { HttpError } from './errors.ts';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const HSTS = 'max-age=15552000; includeSubDomains';

/**
 * API answers are JSON, never a page: a fixed set, the same helmet gives the app minus what only
 * documents use. (@fastify/helmet builds its middleware anew for every request, which cost more
 * per request than a whole 100-operation push spends on its own headers otherwise.)
 */
const API_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

/** `'sha256-…'` sources of the inline `<style>` blocks of the built index.html, re-read when it changes. */
function inlineStyleHashes(distDir: string): () => string[] {
  const file = path.join(distDir, 'index.html');
  let checkedAt = 0;
  let mtime = -1;
  let hashes: string[] = [];
  return () => {
    const now = Date.now();
    if (now - checkedAt < 2000) return hashes;
    checkedAt = now;
    try {
      const stat = statSync(file);
      if (stat.mtimeMs === mtime) return hashes;
      mtime = stat.mtimeMs;
      const html = readFileSync(file, 'utf8');
      hashes = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map(
        (m) =>
          `'sha256-${createHash('sha256')
            .update(m[1] ?? '')
            .digest('base64')}'`,
      );
    } catch {
      hashes = [];
    }
    return hashes;
  };
}

export function ownOrigin(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export async function registerSecurityHeaders(app: FastifyInstance, distDir: string): Promise<void> {
  const styleHashes = inlineStyleHashes(distDir);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/api/')) route.helmet = false;
  });
  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", () => styleHashes().join(' ')],
        styleSrcAttr: ["'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Set below, only over HTTPS: over plain HTTP it would be ignored at best.
    strictTransportSecurity: false,
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.url.startsWith('/api/')) reply.headers(API_HEADERS);
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
  });
}

export function registerOriginRule(app: FastifyInstance, allowedOrigins: readonly string[], logger: Logger): void {
  const allowed = new Set(allowedOrigins);
  app.addHook('onRequest', async (request) => {
    if (!WRITE_METHODS.has(request.method)) return;
    if (request.headers['sec-fetch-site'] === 'cross-site') {
      logger.warn('[Http]', 'cross-site write refused', {
        method: request.method,
        path: request.url,
        origin: request.headers.origin,
      });
      throw new HttpError(403, 'FORBIDDEN', 'Writes from another site are refused');
    }
    const origin = request.headers.origin;
    if (origin === undefined || origin === ownOrigin(request) || allowed.has(origin)) return;
    logger.warn('[Http]', 'write from a foreign origin refused', { method: request.method, path: request.url, origin });
    throw new HttpError(403, 'FORBIDDEN', 'Writes from another origin are refused (see ALLOWED_ORIGINS)');
  });
}
