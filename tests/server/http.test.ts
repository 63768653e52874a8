/**
 * The HTTP layer (issue 9 items 10 and 12): compression, static files and their cache rules,
 * security headers, gzip request bodies, the origin rule and JSON-only writes, and the Secure
 * cookie flag trusting X-Forwarded-Proto only behind a configured proxy.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appointmentData, count, startTestServer, useServerWithStaff, createOp } from './helpers.ts';

const INLINE_STYLE = 'html,body{margin:0}';

/** A small built app: shell with an inline style, a hashed asset and its map, the worker, the manifest. */
function writeDist(): string {
  const dist = mkdtempSync(path.join(os.tmpdir(), 'smartdmv-dist-'));
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(
    path.join(dist, 'index.html'),
    `<!doctype html><html><head><style>${INLINE_STYLE}</style><script type="module" src="/assets/index-AbC123.js"></script></head><body></body></html>`,
  );
  writeFileSync(
    path.join(dist, 'assets', 'index-AbC123.js'),
    `console.log(${JSON.stringify('x'.repeat(4000))});\n//# sourceMappingURL=index-AbC123.js.map`,
  );
  writeFileSync(path.join(dist, 'assets', 'index-AbC123.js.map'), '{"version":3,"sources":[],"mappings":""}');
  writeFileSync(path.join(dist, 'sw.js'), 'self.addEventListener("fetch", () => {});');
  // A build-time brotli copy (scripts/compress-dist.mjs) with a marker, to see which one is sent.
  writeFileSync(
    path.join(dist, 'sw.js.br'),
    brotliCompressSync('/* precompressed */ self.addEventListener("fetch", () => {});'),
  );
  writeFileSync(path.join(dist, 'manifest.webmanifest'), '{"name":"SmartDMV"}');
  writeFileSync(path.join(dist, '.env'), 'SECRET=1');
  return dist;
}

let dist: string;
beforeAll(() => {
  dist = writeDist();
});
afterAll(() => rmSync(dist, { recursive: true, force: true }));
const t = useServerWithStaff(() => ({ distDir: dist, http: { allowedOrigins: ['https://desk.example'] } }));

const get = (pathname: string, headers: Record<string, string> = {}) =>
  fetch(`${t.server.url}${pathname}`, { headers });

describe('compression', () => {
  it('compresses API JSON above 1 KB with brotli or gzip, with Vary: Accept-Encoding; small answers stay plain', async () => {
    for (const encoding of ['br', 'gzip']) {
      const res = await t.client.request('GET', '/api/users', undefined, { 'accept-encoding': encoding });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      expect(res.body.data.length).toBeGreaterThan(10);
    }
    const small = await t.client.request('GET', '/api/health', undefined, { 'accept-encoding': 'br, gzip' });
    expect(small.headers.get('content-encoding')).toBeNull();
  });

  it('sends the build-time brotli copy of a file as it is, keeping the file’s own headers', async () => {
    const res = await get('/sw.js', { 'accept-encoding': 'br, gzip' });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(await res.text()).toContain('/* precompressed */');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('service-worker-allowed')).toBe('/');
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    // A client without brotli gets the file itself.
    expect(await (await get('/sw.js', { 'accept-encoding': 'identity' })).text()).not.toContain('precompressed');
  });

  it('compresses the built app', async () => {
    const res = await get('/assets/index-AbC123.js', { 'accept-encoding': 'br' });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
    expect(await res.text()).toContain('console.log');
  });
});

describe('static files', () => {
  it('hashed assets are immutable for a year; index.html, sw.js and the manifest are revalidated', async () => {
    expect((await get('/assets/index-AbC123.js')).headers.get('cache-control')).toBe(
      'public, max-age=31536000, immutable',
    );
    for (const file of ['/', '/index.html', '/sw.js', '/manifest.webmanifest']) {
      const res = await get(file);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('cache-control'), file).toBe('no-cache');
    }
    expect((await get('/sw.js')).headers.get('service-worker-allowed')).toBe('/');
    expect((await get('/manifest.webmanifest')).headers.get('content-type')).toMatch(/^application\/manifest\+json/);
  });

  it('app routes get the shell; a missing asset, a source map and a dotfile are 404', async () => {
    for (const route of ['/appointments', '/clients/12', '/sync']) {
      const res = await get(route);
      expect(res.status, route).toBe(200);
      expect(await res.text()).toContain('<!doctype html>');
      expect(res.headers.get('cache-control')).toBe('no-cache');
    }
    for (const missing of ['/assets/missing-123.js', '/assets/index-AbC123.js.map', '/../package.json']) {
      expect((await get(missing)).status, missing).toBe(404);
    }
    // A dotfile is never served (without an extension, the path gets the app shell).
    expect(await (await get('/.env')).text()).not.toContain('SECRET');
    const api = await get('/api/nothing');
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ success: false, error: { code: 'NOT_FOUND' } });
  });

  it('serves source maps when SERVE_SOURCEMAPS=1', async () => {
    const withMaps = await startTestServer({ seed: false, distDir: dist, http: { serveSourceMaps: true } });
    try {
      const res = await fetch(`${withMaps.url}/assets/index-AbC123.js.map`);
      expect(res.status).toBe(200);
    } finally {
      await withMaps.close();
    }
  });
});

describe('security headers', () => {
  it('a CSP the app runs under (its inline style by hash), nosniff, no framing, no referrer; no HSTS over plain HTTP', async () => {
    const hash = createHash('sha256').update(INLINE_STYLE).digest('base64');
    for (const pathname of ['/', '/sw.js', '/clients/3']) {
      const res = await get(pathname);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain(`style-src 'self' 'sha256-${hash}'`);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('API answers (JSON, errors included) carry a locked-down set: no content, no framing, nosniff', async () => {
    for (const res of [await get('/api/health'), await get('/api/nothing'), await get('/api/pets')]) {
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('ignores X-Forwarded-Proto when no proxy is trusted: no Secure cookie, no HSTS', async () => {
    const res = await fetch(`${t.server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: 'reception@northside.example', password: 'demo1234' }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).not.toContain('Secure');
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('behind a trusted proxy (TRUST_PROXY) that says https: Secure cookie and HSTS', async () => {
    const proxied = await startTestServer({ http: { trustProxy: '127.0.0.1' } });
    try {
      const res = await fetch(`${proxied.url}/api/auth/login`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-forwarded-proto': 'https',
          origin: 'https://clinic.example',
          'x-forwarded-host': 'clinic.example',
        },
        body: JSON.stringify({ email: 'reception@northside.example', password: 'demo1234' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('set-cookie')).toContain('Secure');
      expect(res.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    } finally {
      await proxied.close();
    }
  });
});

const pushBody = () =>
  JSON.stringify({
    operations: [createOp('appointments', appointmentData(t.ids.petId, null))],
    clientTimestamp: 1,
  });

/** A push with a gzip-compressed body, as the worker sends large ones (CompressionStream). */
async function gzipPush(body: Buffer): Promise<{ status: number; body: any }> {
  const res = await fetch(`${t.server.url}/api/sync/push`, {
    method: 'POST',
    headers: { cookie: t.client.cookie!, 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: new Uint8Array(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('request bodies', () => {
  it('accepts a gzip-compressed push (the worker compresses large ones)', async () => {
    const res = await gzipPush(gzipSync(pushBody()));
    expect(res.status).toBe(200);
    expect(res.body.processed).toBe(1);
  });

  it('applies the 5 MB limit to the decompressed size: a zip bomb is 413 and the server keeps serving', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    expect(bomb.length).toBeLessThan(200_000);
    const res = await gzipPush(bomb);
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect((await t.client.request('GET', '/api/health')).status).toBe(200);
  });

  it('refuses other encodings (415) and corrupt gzip (400)', async () => {
    for (const encoding of ['br', 'deflate', 'compress']) {
      const res = await t.client.request('POST', '/api/sync/push', pushBody(), { 'content-encoding': encoding });
      expect([res.status, res.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    }
    const corrupt = await t.client.request('POST', '/api/sync/push', 'not gzip at all', { 'content-encoding': 'gzip' });
    expect(corrupt.status).toBe(400);
  });
});

describe('origin rule and content types (writes)', () => {
  it('refuses writes from a foreign Origin and cross-site writes; nothing is written', async () => {
    const before = await count(t.server, 'SELECT COUNT(*) FROM appointments');
    const cases: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: t.server.url, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of cases) {
      const rest = await t.client.request('POST', '/api/appointments', appointmentData(t.ids.petId, null), headers);
      expect([rest.status, rest.body.error.code], JSON.stringify(headers)).toEqual([403, 'FORBIDDEN']);
      const push = await t.client.request('POST', '/api/sync/push', pushBody(), headers);
      expect(push.status).toBe(403);
      const del = await t.client.request('DELETE', `/api/appointments/${t.ids.appointmentId}`, undefined, headers);
      expect(del.status).toBe(403);
    }
    const login = await t.server
      .client()
      .request(
        'POST',
        '/api/auth/login',
        { email: 'reception@northside.example', password: 'demo1234' },
        { origin: 'http://evil.example' },
      );
    expect(login.status).toBe(403);
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before);
    expect(
      await count(
        t.server,
        'SELECT COUNT(*) FROM appointments WHERE id = ? AND deleted_at IS NOT NULL',
        t.ids.appointmentId,
      ),
    ).toBe(0);
  });

  it('accepts its own origin, a listed ALLOWED_ORIGINS entry, same-origin fetches and requests without Origin', async () => {
    const cases: Record<string, string>[] = [
      { origin: t.server.url, 'sec-fetch-site': 'same-origin' },
      { origin: 'https://desk.example', 'sec-fetch-site': 'same-site' },
      {},
    ];
    for (const headers of cases) {
      const res = await t.client.request('POST', '/api/appointments', appointmentData(t.ids.petId, null), headers);
      expect(res.status, JSON.stringify(headers)).toBe(201);
    }
    // Reads are not writes: a foreign Origin may not write, but the rule is about writes.
    expect((await t.client.request('GET', '/api/health', undefined, { origin: 'http://evil.example' })).status).toBe(
      200,
    );
  });

  it('JSON writes must be application/json: text/plain and form bodies are 415, nothing written', async () => {
    const before = await count(t.server, 'SELECT COUNT(*) FROM appointments');
    const json = JSON.stringify(appointmentData(t.ids.petId, null));
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await fetch(`${t.server.url}/api/appointments`, {
        method: 'POST',
        headers: { cookie: t.client.cookie!, 'content-type': type },
        body: json,
      });
      expect(res.status, type).toBe(415);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
      const push = await fetch(`${t.server.url}/api/sync/push`, {
        method: 'POST',
        headers: { cookie: t.client.cookie!, 'content-type': type },
        body: pushBody(),
      });
      expect(push.status, type).toBe(415);
    }
    expect(await count(t.server, 'SELECT COUNT(*) FROM appointments')).toBe(before);
  });
});
