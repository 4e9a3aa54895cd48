import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signJwt, startTestServer, type TestServer } from '../helpers/http-server.js';

const screenshots = join('test-output', 'console');
let server: TestServer;
let browser: BrowserContext;
let profile: string;
let page: Page;

beforeAll(async () => {
  server = await startTestServer('console_e2e');
  const { store } = server;
  await store.save(
    'object',
    { name: 'account', namespace: 'crm', metadata: { label: 'Account', fields: { name: { type: 'text' } } } },
    { actor: 'alice', reason: 'first cut', source: 'http' },
  );
  await store.save(
    'object',
    { name: 'account', metadata: { label: 'Customer', fields: { name: { type: 'text' } } } },
    { actor: 'bob', reason: 'rename for sales' },
  );
  await store.save(
    'object',
    { name: 'account', metadata: { label: 'Customer', fields: { name: { type: 'text', required: true } } } },
    { actor: 'root', reason: 'name is required' },
  );
  await store.save('object', { name: 'lead', namespace: 'sales', metadata: { label: 'Lead' } }, { actor: 'bob' });
  await store.save('view', { name: 'account_list', namespace: 'crm', metadata: { columns: ['name'] } }, { actor: 'alice' });
  mkdirSync(screenshots, { recursive: true });
  // a fresh profile every run: nothing cached, no session left over
  profile = mkdtempSync(join(tmpdir(), 'metaledger-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
    viewport: { width: 1360, height: 860 },
  });
  browser.setDefaultTimeout(15_000);
  page = browser.pages()[0] ?? (await browser.newPage());
});
afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
  await server?.close();
});

async function signIn(key: string): Promise<void> {
  await page.goto(server.url);
  await page.getByLabel('API key or token').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('the web audit console in Chromium', () => {
  it('refuses an unknown key and signs in with an API key', async () => {
    await signIn('mlk_wrong');
    await page.getByRole('alert').filter({ hasText: 'unknown API key or token' }).waitFor();
    await signIn(server.keys.root);
    await page.getByLabel('Signed in as').filter({ hasText: 'root' }).waitFor();
    await page.getByRole('button', { name: /^object/ }).waitFor();
    await page.screenshot({ path: join(screenshots, 'items.png') });
  });

  it('opens an item from a search and shows its timeline with actors and reasons', async () => {
    await page.getByLabel('Search by name').fill('acc');
    await page.getByRole('link', { name: 'object/account' }).click();
    const timeline = page.getByRole('region', { name: 'Timeline' });
    for (const text of ['alice', 'first cut', 'bob', 'rename for sales', 'name is required'])
      await timeline.getByText(text, { exact: true }).waitFor();
    expect(await timeline.getByRole('row').count()).toBe(4); // header + 3 versions
    await page.screenshot({ path: join(screenshots, 'timeline.png') });
  });

  it('diffs two versions side by side with the changed paths highlighted', async () => {
    await page.getByLabel('Compare version 1').check();
    await page.getByLabel('Compare version 3').check();
    await page.getByRole('button', { name: 'Compare v1 with v3' }).click();
    const changed = page.getByRole('list', { name: 'Changed paths' });
    await changed.getByText('/metadata/label').waitFor();
    await changed.getByText('/metadata/fields/name/required').waitFor();
    const highlighted = page.getByLabel('Version 3').locator('.line.changed');
    expect(await highlighted.allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('"label": "Customer"'), expect.stringContaining('"required": true')]),
    );
    await page.screenshot({ path: join(screenshots, 'diff.png'), fullPage: true });
  });

  it('rolls back with a preview and a confirmation, and shows the new version', async () => {
    await page.getByRole('button', { name: 'Roll back to v1' }).click();
    const panel = page.getByRole('region', { name: 'Rollback' });
    await panel.getByRole('list', { name: 'Rollback preview' }).getByText('/metadata/label').waitFor();
    await panel.getByLabel('Reason').fill('back to the first cut');
    await page.screenshot({ path: join(screenshots, 'rollback-preview.png'), fullPage: true });
    await panel.getByRole('button', { name: 'Confirm rollback' }).click();
    await panel.getByRole('status').filter({ hasText: 'the item is now version 4' }).waitFor();
    await page.getByRole('region', { name: 'Timeline' }).getByText('back to the first cut').waitFor();
    expect((await server.store.load('object', 'account')).data).toMatchObject({ version: 4, metadata: { label: 'Account' } });
    expect((await server.store.history('object', 'account', { limit: 1 })).events[0]).toMatchObject({ kind: 'rolled_back', actor: 'root' });
  });

  it('shows blame and the item as it was at a time', async () => {
    await page.getByRole('tab', { name: 'Blame' }).click();
    await page.getByRole('table', { name: 'Blame' }).getByText('/metadata/label').waitFor();
    await page.getByRole('tab', { name: 'At a time' }).click();
    await page.getByLabel('As it was at').fill('2000-01-01T00:00:00');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('Not yet created at that time').waitFor();
  });

  it('shows a change made by another client appear in the live feed', async () => {
    await page.getByRole('link', { name: 'Live feed' }).click();
    await page.getByText('Live: new changes appear at the top.').waitFor();
    const token = await signJwt({ sub: 'carol', roles: ['admin'] });
    const put = await fetch(`${server.url}/api/v1/records/object/lead?reason=${encodeURIComponent('qualified by carol')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ metadata: { label: 'Qualified lead' } }),
    });
    expect(put.status).toBe(200);
    const feed = page.getByRole('table', { name: 'Live feed' });
    await feed.getByText('qualified by carol').waitFor();
    await feed.getByRole('cell', { name: 'carol', exact: true }).waitFor();
    await page.screenshot({ path: join(screenshots, 'live-feed.png') });
  });

  it('refuses a rollback and a restore to a principal who may not, with a clear message', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn(server.keys.alice);
    await page.goto(`${server.url}/#/item/object/account`);
    await page.getByRole('button', { name: 'Roll back to v2' }).click();
    await page.getByRole('alert').filter({ hasText: 'You may not roll this item back' }).waitFor();
    await page.getByRole('link', { name: 'Restore' }).click();
    await page.getByLabel('Namespace').fill('crm');
    await page.getByLabel('Back to').fill('2000-01-01T00:00:00');
    await page.getByRole('button', { name: 'Preview restore' }).click();
    await page.getByRole('alert').filter({ hasText: 'You may not make this restore' }).waitFor();
    await page.screenshot({ path: join(screenshots, 'restore-refused.png') });
    expect((await server.store.load('object', 'account')).data?.version).toBe(4);
  });
});
