/** Push bodies: gzip where they are large, plain where the server does not take gzip. */
import { describe, expect, it } from 'vitest';
import { httpTransport, COMPRESS_PUSH_FROM_BYTES } from '../../../sw/sync/transport.ts';
import { seedIds, startTestServer } from '../../server/helpers.ts';
import type { PushRequest, PushResponse } from '../../../src/protocol/index.ts';

function request(operations: number): PushRequest {
  return {
    clientTimestamp: 1,
    operations: Array.from({ length: operations }, (_, i) => ({
      opId: `op-${String(i).padStart(8, '0')}`,
      operation: 'create' as const,
      entityType: 'appointments',
      entityId: `temp_appt_${i}`,
      tempId: `temp_appt_${i}`,
      timestamp: 1,
      practiceId: 1,
      tenantId: 'smartvet',
      data: {
        title: `Checkup ${i}`,
        type: 'checkup',
        date: new Date(Date.UTC(2026, 2, 12, 9) + i * 30 * 60_000).toISOString(),
        durationMinutes: '20',
        status: 'scheduled',
        notes: null,
        petId: 5,
        practitionerId: null,
      },
    })),
  };
}

const ok = (req: PushRequest): PushResponse => ({
  success: true,
  processed: req.operations.length,
  failed: 0,
  conflicts: 0,
  timestamp: 1,
  results: req.operations.map((op) => ({ opId: op.opId, success: true, entityType: op.entityType })),
});

async function gunzip(body: Uint8Array): Promise<string> {
  return new Response(new Blob([body as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
}

interface Seen {
  encoding: string | null;
  bytes: number;
  json: PushRequest;
}

/** A server that reads gzip bodies (as the Fastify server will), or refuses them with `refuseGzip`. */
function fakeServer(refuseGzip: number | null) {
  const seen: Seen[] = [];
  const fetchFn = async (_url: string, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const encoding = headers.get('content-encoding');
    if (encoding === 'gzip' && refuseGzip) {
      seen.push({ encoding, bytes: (init!.body as Uint8Array).byteLength, json: null as never });
      return new Response(JSON.stringify({ success: false, error: { code: 'BAD_REQUEST', message: 'unsupported' } }), {
        status: refuseGzip,
      });
    }
    const text = encoding === 'gzip' ? await gunzip(init!.body as Uint8Array) : String(init!.body);
    const json = JSON.parse(text) as PushRequest;
    seen.push({ encoding, bytes: encoding === 'gzip' ? (init!.body as Uint8Array).byteLength : text.length, json });
    return new Response(JSON.stringify(ok(json)), { status: 200 });
  };
  return { seen, fetchFn };
}

describe('acceptance of a push', () => {
  /** A fetch answering `status` at once, with a body that arrives only when `release` is called. */
  function slowBody(status: number, body: string) {
    let release!: () => void;
    const arrived = new Promise<void>((resolve) => (release = resolve));
    const fetchFn = async () =>
      new Response(
        new ReadableStream<Uint8Array>({
          async start(controller) {
            await arrived;
            controller.enqueue(new TextEncoder().encode(body));
            controller.close();
          },
        }),
        { status, headers: { 'content-type': 'application/json' } },
      );
    return { fetchFn, release };
  }

  it('is told on a 200, before the answer is read; the answer follows', async () => {
    const req = request(3);
    const { fetchFn, release } = slowBody(200, JSON.stringify(ok(req)));
    let accepted = false;
    const answer = (await httpTransport(fetchFn).preparePush(req)).send(() => (accepted = true));
    await expect.poll(() => accepted).toBe(true);
    release();
    expect((await answer).processed).toBe(3);
  });

  it('is not told when the server did not apply the batch (503, 401, 400)', async () => {
    for (const status of [503, 401, 400]) {
      const { fetchFn, release } = slowBody(
        status,
        JSON.stringify({ success: false, error: { code: 'X', message: 'no' } }),
      );
      let accepted = false;
      const answer = (await httpTransport(fetchFn).preparePush(request(1))).send(() => (accepted = true));
      release();
      await expect(answer).rejects.toMatchObject({ status });
      expect(accepted, `status ${status}`).toBe(false);
    }
  });
});

describe('answers cut short', () => {
  it('a connection that breaks while the answer is read is retryable, not a bad answer', async () => {
    const cut = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"success":true,"proc'));
        controller.error(new TypeError('network error'));
      },
    });
    const transport = httpTransport(
      async () => new Response(cut, { status: 200, headers: { 'content-type': 'application/json' } }),
    );
    const error = await (await transport.preparePush(request(1))).send().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransportError', kind: 'retry', info: { code: 'NETWORK' } });
  });

  it('a server that never answers, or stops in the middle of its answer, times out as retryable', async () => {
    const silent = httpTransport(
      (_url, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))),
        ),
      { timeoutMs: 50 },
    );
    expect(await (await silent.preparePush(request(1))).send().catch((e: unknown) => e)).toMatchObject({
      kind: 'retry',
      info: { code: 'NETWORK', message: 'No answer within 0 s' },
    });
    const stalled = httpTransport(
      async (_url, init) => {
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('{"success":'));
            init?.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')));
          },
        });
        return new Response(body, { status: 200 });
      },
      { timeoutMs: 50 },
    );
    expect(await (await stalled.preparePush(request(1))).send().catch((e: unknown) => e)).toMatchObject({
      kind: 'retry',
      info: { code: 'NETWORK' },
    });
    // A large (gzip) push is under the same limit.
    const big = request(200);
    expect(JSON.stringify(big).length).toBeGreaterThan(COMPRESS_PUSH_FROM_BYTES);
    expect(await (await silent.preparePush(big)).send().catch((e: unknown) => e)).toMatchObject({
      kind: 'retry',
      info: { message: 'No answer within 0 s' },
    });
  });

  it('an answer that is not JSON stays a fatal bad answer', async () => {
    const transport = httpTransport(async () => new Response('<html>proxy error</html>', { status: 200 }));
    const error = await (await transport.preparePush(request(1))).send().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'TransportError', kind: 'fatal' });
  });
});

describe('push bodies', () => {
  it('gzip-compresses a large body (with Content-Encoding) and sends a small one plain', async () => {
    const { seen, fetchFn } = fakeServer(null);
    const transport = httpTransport(fetchFn);
    const big = request(200);
    expect(JSON.stringify(big).length).toBeGreaterThan(COMPRESS_PUSH_FROM_BYTES);
    expect((await (await transport.preparePush(big)).send()).processed).toBe(200);
    await (await transport.preparePush(request(2))).send();
    expect(seen.map((s) => s.encoding)).toEqual(['gzip', null]);
    expect(seen[0]!.json).toEqual(big);
    // Repetitive JSON compresses well: the bytes on the wire are a fraction of the text.
    expect(seen[0]!.bytes).toBeLessThan(JSON.stringify(big).length / 5);
  });

  for (const status of [415, 400]) {
    it(`falls back to a plain body when the server answers ${status} to gzip, and keeps sending plain`, async () => {
      const { seen, fetchFn } = fakeServer(status);
      const transport = httpTransport(fetchFn);
      expect((await (await transport.preparePush(request(200))).send()).processed).toBe(200);
      expect((await (await transport.preparePush(request(300))).send()).processed).toBe(300);
      expect(seen.map((s) => s.encoding)).toEqual(['gzip', null, null]);
    });
  }

  it("against this repository's server: a large push goes gzip-compressed and lands once", async () => {
    const server = await startTestServer();
    try {
      const staff = await server.login();
      const { petId } = seedIds(server.db);
      const encodings: (string | null)[] = [];
      const transport = httpTransport(
        (input, init) => {
          encodings.push(new Headers(init?.headers).get('content-encoding'));
          return fetch(input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), cookie: staff.cookie ?? '' },
          });
        },
        { baseUrl: server.url },
      );
      const req = request(150);
      for (const op of req.operations) op.data!.petId = petId;
      const response = await (await transport.preparePush(req)).send();
      expect(response).toMatchObject({ processed: 150, failed: 0 });
      expect(encodings).toEqual(['gzip']);
      expect(server.db.prepare("SELECT COUNT(*) AS n FROM appointments WHERE title LIKE 'Checkup %'").get()).toEqual({
        n: 150,
      });
    } finally {
      await server.close();
    }
  });
});
