import { defineConfig } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './scripts/chromium.ts';

// One free port and one throw-away database per run, chosen once in the runner process and
// inherited by the worker processes through the environment.
if (!process.env.E2E_PORT) {
  process.env.E2E_PORT = execFileSync(process.execPath, ['scripts/free-port.mjs']).toString().trim();
}
const port = Number(process.env.E2E_PORT);
const databasePath = `.tmp/e2e-${port}.db`;
if (!process.env.E2E_DB_READY) {
  for (const suffix of ['', '-wal', '-shm']) rmSync(databasePath + suffix, { force: true });
  process.env.E2E_DB_READY = '1';
}

export default defineConfig({
  testDir: 'tests/browser',
  // Screenshots for the README are a tool, not a test: `npm run screenshots` runs them.
  testIgnore: process.env.SCREENSHOTS ? [] : ['**/app-screenshots.spec.ts'],
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [['list']] : [['list']],
  // One folder per run: two runs at once must not delete each other's artifacts.
  outputDir: `.tmp/test-results-${port}`,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    browserName: 'chromium',
    headless: true,
    viewport: { width: 1024, height: 768 },
    launchOptions: {
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
    },
    trace: 'retain-on-failure',
  },
  webServer: {
    command: 'npx tsx server/main.ts',
    url: `http://127.0.0.1:${port}/api/health`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_PATH: databasePath,
      LOG_REQUESTS: '0',
      FAULT_INJECTION: '1',
    },
  },
});
