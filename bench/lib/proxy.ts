/**
 * A reverse proxy in front of the server for the clinic-profile runs: it counts the bytes on the
 * wire both ways, and with `gzip` it does what the Fastify server is to do (decompress
 * `Content-Encoding: gzip` request bodies, gzip JSON answers for clients that accept it). The
 * server in this branch does neither yet: without `gzip` the proxy only passes bytes through
 * (the worker's gzip push is refused with 400 and it falls back to plain bodies).
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import { freePort } from './server.ts';

export interface CountingProxy {
  url: string;
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

export async function startProxy(target: string, options: { gzip: boolean }): Promise<CountingProxy> {
  const port = await freePort();
  const upstream = new URL(target);
  const bytes = { up: 0, down: 0 };
  const server: Server = createServer((req, res) => {
    void (async () => {
      let body = await readBody(req);
      bytes.up += body.length;
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      if (options.gzip && req.headers['content-encoding'] === 'gzip') {
        body = gunzipSync(body);
        delete headers['content-encoding'];
      }
      headers['content-length'] = String(body.length);
      const answer = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        const out = httpRequest({ hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (upstreamRes) => {
          readBody(upstreamRes).then((b) => resolve({ status: upstreamRes.statusCode ?? 502, headers: upstreamRes.headers, body: b }), reject);
        });
        out.on('error', reject);
        out.end(body);
      });
      let sent = answer.body;
      const outHeaders = { ...answer.headers };
      const json = String(answer.headers['content-type'] ?? '').includes('json');
      if (options.gzip && json && sent.length > 1024 && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && !answer.headers['content-encoding']) {
        sent = gzipSync(sent, { level: 6 });
        outHeaders['content-encoding'] = 'gzip';
        outHeaders.vary = 'accept-encoding';
      }
      delete outHeaders['transfer-encoding'];
      outHeaders['content-length'] = String(sent.length);
      bytes.down += sent.length;
      res.writeHead(answer.status, outHeaders);
      res.end(sent);
    })().catch((err: unknown) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
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
