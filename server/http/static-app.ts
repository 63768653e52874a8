/**
 * The built app (vite build output) through @fastify/static:
 * - hashed assets (`/assets/*`): `Cache-Control: public, max-age=31536000, immutable`;
 * - everything else, index.html, sw.js and the manifest among them: `no-cache` (revalidated
 *   with ETag/Last-Modified, so an update reaches tablets on their next visit);
 * - app routes (no file extension, e.g. `/appointments/42`) get index.html (the SPA fallback);
 *   a missing file with an extension is a real 404;
 * - source maps (`*.map`) are not served unless SERVE_SOURCEMAPS=1; dotfiles never are;
 * - `.br`/`.gz` copies made at build time (scripts/compress-dist.mjs) are sent as they are when
 *   the client accepts them (no compression work per request); other files are compressed by
 *   @fastify/compress on the way out.
 * Unknown `/api/*` paths are answered by the API's own 404 (app.ts), never by the app shell.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface StaticOptions {
  distDir: string;
  serveSourceMaps: boolean;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

export async function registerStaticApp(app: FastifyInstance, options: StaticOptions): Promise<void> {
  const root = path.resolve(options.distDir);
  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    cacheControl: false,
    dotfiles: 'ignore',
    preCompressed: true,
    allowedPath: (pathName) => options.serveSourceMaps || !pathName.endsWith('.map'),
    setHeaders: (reply, file) => {
      // `file` is the copy sent (`sw.js.br`); the rules are about the file it stands for.
      const relative = path.relative(root, file).replace(/\.(br|gz)$/, '');
      reply.header('cache-control', relative.startsWith(`assets${path.sep}`) ? IMMUTABLE : 'no-cache');
      if (relative === 'sw.js') reply.header('service-worker-allowed', '/');
    },
  });
}

/** For GET/HEAD outside /api/ that found no file: the app shell for app routes, else 404. */
export function serveAppShell(
  distDir: string,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply | Promise<FastifyReply> {
  const pathname = request.url.split('?')[0] ?? '/';
  const text = (status: number, body: string) => reply.code(status).type('text/plain; charset=utf-8').send(body);
  if (request.method !== 'GET' && request.method !== 'HEAD')
    return text(405, 'Method not allowed').header('allow', 'GET, HEAD');
  if (path.extname(pathname) !== '') return text(404, 'Not found');
  if (!existsSync(path.join(distDir, 'index.html')))
    return text(503, 'The app is not built yet: run `npm run build` (or `npm start`).');
  return reply.sendFile('index.html');
}
