/**
 * HTTP calls that record themselves: per labelled route, the latency of every request (until its
 * body is read), its status, and what counts as an error (a network failure or a status the
 * caller did not expect). Used by `npm run bench:load`.
 */
import { round, summarize, type LatencySummary } from './stats.ts';

export interface Sample {
  label: string;
  ms: number;
  status: number;
  /** ms since the recorder started. */
  at: number;
}

export interface RouteReport extends LatencySummary {
  label: string;
  errors: number;
}

export class Recorder {
  readonly samples: Sample[] = [];
  readonly errors: { label: string; detail: string }[] = [];
  private readonly started = performance.now();

  constructor(private readonly baseUrl: string) {}

  /**
   * Calls `path`, reads the body (JSON when it is JSON), records it under `label`. The body is the
   * server's JSON as sent, not validated (that would add client work to the measured run): the
   * caller states the shape it reads.
   */
  async call(
    label: string,
    path: string,
    init: RequestInit = {},
    expected: readonly number[] = [200],
  ): Promise<{ status: number; body: unknown; headers: Headers }> {
    const t0 = performance.now();
    let status = 0;
    try {
      const res = await fetch(`${this.baseUrl}${path}`, init);
      status = res.status;
      const text = await res.text();
      const body =
        (res.headers.get('content-type') ?? '').includes('json') && text ? (JSON.parse(text) as unknown) : null;
      this.samples.push({ label, ms: performance.now() - t0, status, at: t0 - this.started });
      if (!expected.includes(status)) this.errors.push({ label, detail: `HTTP ${status} ${text.slice(0, 200)}` });
      return { status, body, headers: res.headers };
    } catch (err) {
      this.samples.push({ label, ms: performance.now() - t0, status, at: t0 - this.started });
      this.errors.push({ label, detail: (err as Error).message });
      return { status, body: null, headers: new Headers() };
    }
  }

  /** Latency per label, in first-seen order. */
  routes(): RouteReport[] {
    const labels = [...new Set(this.samples.map((s) => s.label))];
    return labels.map((label) => ({
      label,
      ...summarize(this.samples.filter((s) => s.label === label).map((s) => s.ms)),
      errors: this.errors.filter((e) => e.label === label).length,
    }));
  }

  slowest(): Sample | null {
    const sample = this.samples.reduce<Sample | null>((worst, s) => (!worst || s.ms > worst.ms ? s : worst), null);
    return sample && { ...sample, ms: round(sample.ms), at: round(sample.at / 1000, 1) };
  }
}
