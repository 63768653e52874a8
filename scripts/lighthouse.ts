/**
 * `npm run lighthouse`: Lighthouse 12 (simulated mobile, its defaults) on the built app served by
 * the real server, for two pages as staff meet them:
 * - sign-in: a first visit (Lighthouse clears storage: no service worker, nothing cached);
 * - appointments: a tablet in daily use (signed in through the form, service worker installed and
 *   replica filled; Lighthouse keeps that storage).
 * Each page runs LIGHTHOUSE_RUNS times (default 3); the median of each score is printed, with what
 * costs performance and any accessibility / best-practices audit that failed.
 *
 * The server runs on a free port with a throw-away database (.tmp/). Reports: .tmp/lighthouse/.
 * CHROME_PATH (or CHROMIUM_PATH) picks the browser; the headless flags are scripts/chromium.ts's.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { startServer } from '../bench/lib/server.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './chromium.ts';

const RUNS = Number(process.env.LIGHTHOUSE_RUNS ?? 3);
const CHROME = process.env.CHROME_PATH ?? CHROMIUM_PATH;
const OUT = '.tmp/lighthouse';
const CATEGORIES = ['performance', 'accessibility', 'best-practices'] as const;
type Category = (typeof CATEGORIES)[number];

interface PageRun {
  scores: Record<Category, number>;
  metrics: Record<string, string>;
  /** Audits below full marks in accessibility and best practices, and performance's costliest. */
  notes: string[];
}

/** Signs in through the form in Lighthouse's Chrome and waits for the worker's first pull. */
async function prepareSignedInTablet(base: string, chromePort: number): Promise<void> {
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chromePort}`);
  const context = browser.contexts()[0];
  if (!context) throw new Error('No browser context to sign in with');
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.getByLabel('Email').fill('reception@northside.example');
  await page.getByLabel('Password').fill('demo1234');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Appointments', level: 1 }).waitFor();
  await page.waitForFunction(
    async () => {
      const controller = navigator.serviceWorker.controller;
      if (!controller) return false;
      const channel = new MessageChannel();
      interface Reply {
        value?: { lastPulledAt: number | null; isSyncing: boolean };
      }
      const reply = await new Promise<Reply>((resolve) => {
        channel.port1.onmessage = (e: MessageEvent<Reply>) => resolve(e.data);
        controller.postMessage({ type: 'GET_STATE' }, [channel.port2]);
      });
      return reply.value?.lastPulledAt != null && !reply.value.isSyncing;
    },
    undefined,
    { timeout: 30_000, polling: 250 },
  );
  await page.close();
  await browser.close(); // disconnects; Lighthouse's Chrome and its profile stay
}

async function audit(url: string, chromePort: number, keepStorage: boolean, reportName: string): Promise<PageRun> {
  const result = await lighthouse(url, {
    port: chromePort,
    output: 'json',
    logLevel: 'error',
    onlyCategories: [...CATEGORIES],
    disableStorageReset: keepStorage,
  });
  if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
  const lhr = result.lhr;
  writeFileSync(`${OUT}/${reportName}.json`, typeof result.report === 'string' ? result.report : JSON.stringify(lhr));
  const scores = Object.fromEntries(
    CATEGORIES.map((c) => [c, Math.round((lhr.categories[c]?.score ?? 0) * 100)]),
  ) as Record<Category, number>;
  const metric = (id: string) => lhr.audits[id]?.displayValue ?? '—';
  const metrics = {
    FCP: metric('first-contentful-paint'),
    LCP: metric('largest-contentful-paint'),
    TBT: metric('total-blocking-time'),
    CLS: metric('cumulative-layout-shift'),
    SI: metric('speed-index'),
  };
  const notes: string[] = [];
  for (const category of ['accessibility', 'best-practices'] as const) {
    for (const ref of lhr.categories[category]?.auditRefs ?? []) {
      const a = lhr.audits[ref.id];
      if (a && ref.weight > 0 && a.score !== null && a.score < 1) notes.push(`${category}: ${a.title}`);
    }
  }
  // What Lighthouse says costs time (failed or middling opportunities), costliest first.
  const costs = Object.values(lhr.audits)
    .filter((a) => a.details?.type === 'opportunity' && a.score !== null && a.score < 0.9 && (a.numericValue ?? 0) > 0)
    .sort((a, b) => (b.numericValue ?? 0) - (a.numericValue ?? 0))
    .slice(0, 4);
  for (const a of costs) notes.push(`performance: ${a.title}`);
  return { scores, metrics, notes };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const databasePath = `.tmp/lighthouse-${process.pid}.db`;
  for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
  const server = await startServer(databasePath);
  const base = server.url;
  const chrome = await chromeLauncher.launch({
    chromePath: CHROME,
    chromeFlags: [...CHROMIUM_ARGS, '--headless=new'],
  });
  try {
    const pages = [
      { name: 'sign-in', url: `${base}/`, keepStorage: false, prepare: async () => undefined },
      {
        name: 'appointments',
        url: `${base}/appointments`,
        keepStorage: true,
        prepare: () => prepareSignedInTablet(base, chrome.port),
      },
    ];
    console.log(`Lighthouse 12, simulated mobile, ${RUNS} run(s) per page, median shown (reports in ${OUT}/)\n`);
    for (const page of pages) {
      await page.prepare();
      const runs: PageRun[] = [];
      for (let i = 0; i < RUNS; i++)
        runs.push(await audit(page.url, chrome.port, page.keepStorage, `${page.name}-${i + 1}`));
      const scores = CATEGORIES.map((c) => `${c} ${median(runs.map((r) => r.scores[c]))}`).join(' · ');
      const perf = runs.map((r) => r.scores.performance).join(', ');
      const last = runs.at(-1);
      if (!last) throw new Error(`LIGHTHOUSE_RUNS is ${RUNS}: at least one run per page is needed`);
      console.log(`${page.name.padEnd(13)} ${scores}   (performance runs: ${perf})`);
      console.log(
        `${''.padEnd(13)} ${Object.entries(last.metrics)
          .map(([k, v]) => `${k} ${v}`)
          .join(' · ')}`,
      );
      for (const note of [...new Set(runs.flatMap((r) => r.notes))]) console.log(`${''.padEnd(13)} - ${note}`);
      console.log('');
    }
  } finally {
    chrome.kill();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
