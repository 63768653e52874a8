/**
 * A lean HTTP client for the server bench: node:http with keep-alive, the answer decompressed and
 * parsed in one call each. Two sockets, as a browser opens a second connection for a request sent
 * while an answer is still arriving on the first (the worker's next push, see server-bench.ts).
 * The bench measures the server; its client should cost as little as a browser's does. Node's
 * fetch (undici) spent ~5 ms of each 1,000-operation push in its web streams (reading and
 * decompressing the answer), a fifth of the request at these rates, where Chromium does that
 * work natively.
 */
import http from 'node:http';
import zlib from 'node:zlib';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body, decompressed, as text. */
  text: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });

function decompress(body: Buffer, encoding: string | undefined): Buffer {
  switch (encoding) {
    case undefined:
    case 'identity':
      return body;
    case 'br':
      return zlib.brotliDecompressSync(body);
    case 'gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    default:
      throw new Error(`unexpected content-encoding ${encoding}`);
  }
}

/**
 * One request to `url` (http only); rejects on a network error, never on a status. `onStatus`:
 * called when the answer's status arrives, before its body is read.
 */
export function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
  onStatus?: (status: number) => void,
): Promise<HttpAnswer> {
  const { method = 'GET', headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        onStatus?.(res.statusCode ?? 0);
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          try {
            const raw = decompress(Buffer.concat(chunks), res.headers['content-encoding']);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: raw.toString('utf8') });
          } catch (err) {
            reject(err instanceof Error ? err : new Error(String(err)));
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
