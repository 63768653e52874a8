/**
 * A reverse proxy in front of the server for the clinic-profile runs: it counts the body bytes
 * that cross the wire both ways, in one of two modes:
 * - `compressed`: bytes pass through as they are: the worker gzips large push bodies and the
 *   server compresses its answers (brotli or gzip): what a tablet gets from the product;
 * - `identity`: no compression either way, for comparison: a gzip push body is refused with 415
 *   (the worker then sends plain bodies: sw/sync/transport.ts) and the server is asked for
 *   uncompressed answers.
 * The browser's Host header is kept (as `proxy_set_header Host $host` would), so the server's
 * origin rule for writes sees the origin the page was served from.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { freePort } from './server.ts';

export type ProxyMode = 'compressed' | 'identity';

export interface CountingProxy {
  url: string;
  mode: ProxyMode;
  /** Body bytes as they crossed the wire: requests (up) and answers (down). */
  bytes: { up: number; down: number };
  reset(): void;
  stop(): Promise<void>;
}

async function readBody(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startProxy(target: string, mode: ProxyMode): Promise<CountingProxy> {
  const port = await freePort();
  const upstream = new URL(target);
  const bytes = { up: 0, down: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      bytes.up += body.length;
      const headers: IncomingHttpHeaders = { ...req.headers, 'content-length': String(body.length) };
      if (mode === 'identity') {
        if (req.headers['content-encoding']) {
          res.writeHead(415, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'This proxy takes uncompressed bodies only' },
            }),
          );
          return;
        }
        headers['accept-encoding'] = 'identity';
      }
      const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>(
        (resolve, reject) => {
          const out = httpRequest(
            { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
            (upstreamRes) => {
              readBody(upstreamRes).then(
                (b) => resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: b }),
                reject,
              );
            },
          );
          out.on('error', reject);
          out.end(body);
        },
      );
      const outHeaders = { ...answer.headers, 'content-length': String(answer.body.length) };
      delete outHeaders['transfer-encoding'];
      bytes.down += answer.body.length;
      res.writeHead(answer.status, outHeaders);
      res.end(answer.body);
    })().catch((err: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    mode,
    bytes,
    reset() {
      bytes.up = 0;
      bytes.down = 0;
    },
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
