/**
 * Signing out offline (issue 9, item 8), through the UI against the real server: sign in, go
 * offline, edit, Sign out (the warning says what happens to the change), reload → the sign-in
 * screen, the data is not readable through the worker; back online the server session ends (the
 * old cookie gets 401); a second user who signs in first never sends the change; it lands under
 * the first user when they sign in again.
 */
import { expect, request, test } from '@playwright/test';
import {
  PASSWORD,
  indicator,
  makeHousehold,
  serverGet,
  serverSession,
  signInThroughUi,
  workerState,
} from './app-helpers.ts';
import { askWorker, pageFetch } from './helpers.ts';

interface Client {
  id: number;
  name: string;
  phone: string | null;
}

test('an offline sign-out ends the session everywhere and keeps the change for its author only', async ({
  page,
  context,
  baseURL,
}) => {
  const admin = await serverSession(baseURL!, 'admin@northside.example');
  // A client of this test's own: another test (or another run of this one) editing the same
  // client at the same time would turn the change into a conflict that is never sent.
  const { client } = await makeHousehold(admin, 'SignOut');
  await signInThroughUi(page, 'reception@northside.example');
  const oldCookie = (await context.cookies()).find((c) => c.name === 'smartdmv_session');
  expect(oldCookie).toBeDefined();
  // The sign-in's first pull brought the client onto the tablet.
  await expect.poll(async () => (await pageFetch(page, 'GET', `/api/users/${client.id}`)).status).toBe(200);

  // Offline: change the client's phone number (through the worker, as the client screen does).
  const phone = `555-${Date.now() % 1_000_000}`;
  await context.setOffline(true);
  expect((await pageFetch(page, 'PATCH', `/api/users/${client.id}`, { phone })).status).toBe(200);

  // Sign out: the warning first, with what happens to the change; Cancel keeps the session.
  await page.getByRole('button', { name: /^Sign out/ }).click();
  const warning = page.getByRole('group', { name: 'Confirm sign-out' });
  await expect(warning).toContainText('1 change has not reached the practice server yet.');
  await expect(warning).toContainText('It stays on this tablet and is sent when Maya Chen signs in here again');
  await expect(warning.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.screenshot({ path: test.info().outputPath('sign-out-warning.png') });
  await warning.getByRole('button', { name: 'Cancel' }).click();
  await expect(warning).toBeHidden();
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await warning.getByRole('button', { name: 'Sign out anyway' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  await expect(page.getByRole('status')).toContainText('The practice server is told as soon as the tablet is online.');
  await expect(page.getByRole('list', { name: 'Changes waiting on this tablet' })).toContainText(
    '1 change by Maya Chen waits on this tablet; it is sent when Maya Chen signs in here.',
  );

  // Still offline: a reload shows the sign-in screen (Connect to sign in), and the worker answers
  // nobody: not the data, not "who am I".
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  expect((await pageFetch(page, 'GET', '/api/users?role=CLIENT')).status).toBe(401);
  expect((await pageFetch(page, 'GET', `/api/users/${client.id}`)).status).toBe(401);
  expect((await pageFetch(page, 'GET', '/api/auth/me')).status).toBe(401);
  await page.getByLabel('Email').fill('reception@northside.example');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toContainText('Connect to sign in.');

  // Back online: the kept sign-out reaches the server; the old cookie no longer works.
  await context.setOffline(false);
  const oldTablet = await request.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: `smartdmv_session=${oldCookie!.value}` },
  });
  await expect.poll(async () => (await oldTablet.get('/api/auth/me')).status(), { timeout: 20_000 }).toBe(401);
  await oldTablet.dispose();
  // Online, a reload still shows the sign-in screen (the worker says nobody is signed in here).
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();

  // The vet signs in first: the change waits for Maya Chen, and the Sync tab says so.
  await signInThroughUi(page, 'vet@northside.example');
  await expect.poll(async () => (await workerState(page)).isSyncing, { timeout: 20_000 }).toBe(false);
  expect((await serverGet<Client>(admin, `/api/users/${client.id}`)).phone).not.toBe(phone);
  // Nothing this session could send: the indicator counts none of it as pending.
  await expect(indicator(page).getByTestId('pending-count')).toHaveCount(0);
  await page.getByRole('link', { name: 'Sync' }).click();
  await expect(page.getByTestId('waiting-list')).toContainText('Waiting for Maya Chen to sign in');
  await page.screenshot({ path: test.info().outputPath('sync-tab-waiting.png'), fullPage: true });
  // Sync Now as the vet sends nothing of it.
  await askWorker(page, { type: 'SYNC_NOW' });
  expect((await serverGet<Client>(admin, `/api/users/${client.id}`)).phone).not.toBe(phone);

  // The vet signs out (online, nothing of theirs waits: no warning); Maya Chen signs in again.
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  await signInThroughUi(page, 'reception@northside.example');
  await expect
    .poll(async () => (await serverGet<Client>(admin, `/api/users/${client.id}`)).phone, { timeout: 20_000 })
    .toBe(phone);
  const state = await workerState(page);
  expect(state.stats.pending + state.stats.inFlight + state.stats.failed).toBe(0);
  await admin.dispose();
});

test('the kept sign-out reaches the server when the network returns, with every tab of the app closed', async ({
  context,
  baseURL,
}) => {
  const helper = await context.newPage(); // keeps the context (and its Background Sync) alive
  const page = await context.newPage();
  await signInThroughUi(page, 'reception@northside.example');
  const cookie = (await context.cookies()).find((c) => c.name === 'smartdmv_session')!;
  await context.setOffline(true);
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  await page.close();

  const oldTablet = await request.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: `smartdmv_session=${cookie.value}` },
  });
  expect((await oldTablet.get('/api/auth/me')).status()).toBe(200); // the server was not told yet
  const online = Date.now();
  await context.setOffline(false);
  await expect
    .poll(async () => (await oldTablet.get('/api/auth/me')).status(), { timeout: 20_000, intervals: [50] })
    .toBe(401);
  test
    .info()
    .annotations.push({ type: 'revoked after the network returned (ms)', description: String(Date.now() - online) });
  await oldTablet.dispose();
  expect(helper.url()).toBe('about:blank');
});

test('the signed-out card says the server has been told once the kept sign-out reached it', async ({
  page,
  context,
  baseURL,
}) => {
  await signInThroughUi(page, 'reception@northside.example');
  const cookie = (await context.cookies()).find((c) => c.name === 'smartdmv_session')!;
  await context.setOffline(true);
  await page.getByRole('button', { name: /^Sign out/ }).click();
  await expect(page.getByRole('heading', { name: 'Sign in to SmartDMV' })).toBeVisible();
  const notice = page.getByRole('status');
  await expect(notice).toContainText('The practice server is told as soon as the tablet is online.');
  await context.setOffline(false);
  await expect(notice).toHaveText('You are signed out on this tablet. The practice server has been told.', {
    timeout: 20_000,
  });
  await page.screenshot({ path: test.info().outputPath('signed-out-told.png') });
  // It says so because it is true: the old session is over on the server.
  const oldTablet = await request.newContext({
    baseURL,
    extraHTTPHeaders: { cookie: `smartdmv_session=${cookie.value}` },
  });
  expect((await oldTablet.get('/api/auth/me')).status()).toBe(401);
  await oldTablet.dispose();
});
