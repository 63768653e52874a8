/**
 * The shell (issue 11 items 4 and 5): the appointments page and the Sync tab do not shift while they load, the
 * back arrow points the way right-to-left text reads, and the indicator and the Sync panel share
 * one /api/health probe.
 */
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { SESSION_HINT_KEY } from '../../src/session.ts';
import { PASSWORD, indicator, signInThroughUi, workerState } from './app-helpers.ts';

/** Collects layout shifts from the start of every page load (plain JS: runs before the app). */
const RECORD_SHIFTS = `
  window.__cls = 0;
  new PerformanceObserver((list) => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; })
    .observe({ type: 'layout-shift', buffered: true });
`;

const TABLETS = [
  { width: 1024, height: 768 },
  { width: 768, height: 1024 },
];

/** A signed-in tablet (session cookie and hint) whose pages add their layout shifts up in `window.__cls`. */
async function signedInTablet(browser: Browser, baseURL: string, viewport: (typeof TABLETS)[number]) {
  const context = await browser.newContext({ baseURL, viewport });
  const login = await context.request.post('/api/auth/login', {
    data: { email: 'reception@northside.example', password: PASSWORD },
  });
  expect(login.status()).toBe(200);
  await context.addInitScript(`localStorage.setItem('${SESSION_HINT_KEY}', 'true'); ${RECORD_SHIFTS}`);
  return context;
}

/** Opens the appointments page and waits for the day's list and the worker's first pull. */
async function openAppointments(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto('/appointments');
  await expect(page.locator('a.row').first()).toBeVisible();
  await expect.poll(async () => (await workerState(page)).lastPulledAt !== null, { timeout: 20_000 }).toBe(true);
  return page;
}

async function expectNoShift(page: Page, viewport: (typeof TABLETS)[number]): Promise<void> {
  const cls = await page.evaluate(() => (window as unknown as { __cls: number }).__cls);
  expect(cls, `cumulative layout shift at ${viewport.width}×${viewport.height}`).toBeLessThan(0.01);
}

test('the appointments page loads without layout shift, in landscape and portrait', async ({ browser, baseURL }) => {
  // A signed-in tablet opening the app fresh: the worker installs, hears of the session, pulls.
  for (const viewport of TABLETS) {
    const context = await signedInTablet(browser, baseURL!, viewport);
    const page = await openAppointments(context);
    await page.waitForTimeout(1_000); // the indicator and the header settle
    await expectNoShift(page, viewport);
    await context.close();
  }
});

test('the Sync tab loads without layout shift, in landscape and portrait', async ({ browser, baseURL }) => {
  // A tablet in daily use opening the Sync tab: the worker is installed and has synced once.
  for (const viewport of TABLETS) {
    const context = await signedInTablet(browser, baseURL!, viewport);
    await (await openAppointments(context)).close();
    const page = await context.newPage();
    await page.goto('/sync');
    await expect(page.getByTestId('result-when')).toBeVisible();
    await page.waitForTimeout(1_500); // the background check after start-up lands
    await expectNoShift(page, viewport);
    await context.close();
  }
});

test('the back arrow points the way the text reads', async ({ page }) => {
  await signInThroughUi(page);
  await page.goto('/clients');
  await page.locator('a.row').first().click();
  const back = page.getByRole('link', { name: 'All clients' });
  const icon = back.locator('svg');
  const label = back.locator('span');
  await expect(icon).toHaveCSS('transform', 'none');
  expect((await icon.boundingBox())!.x).toBeLessThan((await label.boundingBox())!.x);

  await page.evaluate(() => document.documentElement.setAttribute('dir', 'rtl'));
  await expect(icon).toHaveCSS('transform', 'matrix(-1, 0, 0, 1, 0, 0)');
  expect((await icon.boundingBox())!.x).toBeGreaterThan((await label.boundingBox())!.x);
});

test('the indicator and the Sync panel share one /api/health probe', async ({ page }) => {
  await signInThroughUi(page);
  const probes: string[] = [];
  page.on('request', (request) => {
    if (new URL(request.url()).pathname === '/api/health') probes.push(request.url());
  });
  await page.goto('/sync');
  await expect(page.getByRole('heading', { name: 'Last sync' })).toBeVisible();
  await expect(page.getByText(/Online \(connection \w+, \d+ ms\)/)).toBeVisible();
  await page.waitForTimeout(2_000);
  expect(probes).toHaveLength(1);
  // Leaving the Sync tab and coming back does not probe again either.
  await page.getByRole('link', { name: 'Appointments' }).click();
  await page.getByRole('link', { name: 'Sync', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Last sync' })).toBeVisible();
  await page.waitForTimeout(1_000);
  expect(probes).toHaveLength(1);
});

/** The two boxes share no pixel. */
function disjoint(a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean {
  return a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
}

test('in portrait the indicator leaves Sign out and the name free, while sending and while changes wait', async ({
  browser,
  baseURL,
}) => {
  for (const viewport of [
    { width: 768, height: 1024 },
    { width: 412, height: 915 },
  ]) {
    const context = await browser.newContext({ baseURL, viewport });
    const page = await context.newPage();
    // The push is held until the end: the indicator stays on "Sending changes…".
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    await context.route('**/api/sync/push', async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    await signInThroughUi(page);
    const signOut = page.getByRole('button', { name: /^Sign out/ });
    const name = page.locator('.who');
    const card = indicator(page);
    const expectClear = async (what: string) => {
      const [cardBox, signOutBox, nameBox] = [
        await card.boundingBox(),
        await signOut.boundingBox(),
        await name.boundingBox(),
      ];
      expect(cardBox && signOutBox && nameBox, what).toBeTruthy();
      expect(disjoint(cardBox!, signOutBox!), `${what}: indicator over Sign out at ${viewport.width} px`).toBe(true);
      expect(disjoint(cardBox!, nameBox!), `${what}: indicator over the name at ${viewport.width} px`).toBe(true);
      expect(signOutBox!.height).toBeGreaterThanOrEqual(44);
      expect(signOutBox!.x + signOutBox!.width).toBeLessThanOrEqual(viewport.width);
      await expect(name).toBeVisible();
    };

    await page.goto('/clients');
    await page.locator('a.row').first().click();
    await page.getByLabel('Phone').fill(`+1 555 010 ${String(Date.now()).slice(-4)}`);
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect(card).toContainText('Sending changes');
    await expectClear('sending');

    await context.setOffline(true);
    await expect(card).toContainText('Offline');
    await expectClear('offline with changes waiting');

    release();
    await context.close();
  }
});
