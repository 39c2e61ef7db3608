import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { openDb } from '../lib/db';
import { seedHistory } from '../lib/metrics/history/store';
import { readIdentity } from './identity';
import { machineIdOf, navigate, openMachine, signInAsAdmin, simHosts, submitSignIn } from './helpers';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * e2e/server.ts's database: the nimbox-e2e-* folder in the temp dir whose hosts are this run's simulated
 * ones (their ports are new each run), the newest if an earlier run left one behind.
 */
function serverDbFile(): string {
  const url = simHosts()[0].url;
  const found = fs
    .readdirSync(os.tmpdir())
    .filter((n) => n.startsWith('nimbox-e2e-'))
    .map((n) => path.join(os.tmpdir(), n, 'nimbox.sqlite'))
    .filter((file) => {
      if (!fs.existsSync(file)) return false;
      const db = new SQLite(file, { readonly: true, fileMustExist: true });
      try {
        return Boolean(db.prepare('select 1 from hosts where url = ?').get(url));
      } catch {
        return false;
      } finally {
        db.close();
      }
    })
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  if (!found[0]) throw new Error(`no e2e database lists the host ${url}`);
  return found[0];
}

/**
 * 24 hours of minute samples, as the sampler would have left them had Nimbox run all day: load between
 * 10% and 30% with one peak of 91% twelve hours ago (the simulated machines stay under 40%), and a
 * two-hour outage ten hours ago. Up to two minutes ago; the live sampler adds the minutes since.
 */
async function seedDay(id: string): Promise<void> {
  const now = Date.now();
  const points = Array.from({ length: 1439 }, (_, i) => {
    const t = now - (1440 - i) * MIN;
    return { t: new Date(t), cpu: i === 720 ? 91 : 20 + 10 * Math.sin(i / 60), memUsedMB: 600 + (i % 100), memTotalMB: 1024 };
  }).filter((p) => p.t.getTime() < now - 10 * HOUR || p.t.getTime() >= now - 8 * HOUR);
  const db = await openDb(serverDbFile());
  try {
    await seedHistory(db, 'vm', id, points, 60);
  } finally {
    await db.destroy();
  }
}

const historyOf = (page: Page) => page.getByRole('region', { name: 'History' });
/** The figure (caption, chart, time axis) of the chart with this accessible name. */
const figureOf = (scope: Locator, name: RegExp) => scope.locator('figure').filter({ has: scope.page().getByRole('img', { name }) });
/** The chart's line: the last path of the figure's SVG (the area under it comes first). */
const linePath = (chart: Locator) => chart.locator('path').last();

test("a machine's page charts its last 24 hours", async ({ page }) => {
  await signInAsAdmin(page);
  await seedDay(await machineIdOf(page, 'web-a1'));
  await openMachine(page, 'web-a1');
  const history = historyOf(page);
  const day = history.getByRole('group', { name: 'Range' }).getByRole('button', { name: 'Day', exact: true });
  await day.click();
  await expect(day).toHaveAttribute('aria-pressed', 'true');

  // The name says the window, the latest value (the live sampler's) and the seeded peak of twelve hours ago.
  const cpuName = /^CPU load over the last 24 hours: latest \d+%, peak 91%$/;
  await expect(history.getByRole('img', { name: cpuName })).toBeVisible();
  await expect(history.getByRole('img', { name: /^Memory in use over the last 24 hours: latest [\d.]+ [MG]iB of [\d.]+ [MG]iB, peak [\d.]+ [MG]iB$/ })).toBeVisible();

  // The axis is labelled at the wall clock's 6-hour marks across the day, in the browser's time.
  const figure = figureOf(history, cpuName);
  const ticks = figure.getByTestId('time-axis').locator('span');
  await expect(ticks).toHaveCount(4);
  const labels = await ticks.allInnerTexts();
  expect(labels.map((l) => l.slice(3))).toEqual(['00', '00', '00', '00']);
  expect(new Set(labels.map((l) => Number(l.slice(0, 2)) % 6))).toEqual(new Set([0]));
  const at = (await ticks.evaluateAll((els) => els.map((e) => Date.parse(e.getAttribute('data-t') ?? '')))) as number[];
  expect(at[0]).toBeGreaterThan(Date.now() - 24 * HOUR);
  expect(at[3] - at[0]).toBeGreaterThanOrEqual(17 * HOUR);

  // The line starts at the left edge (24 hours ago) and breaks where the samples stop (the outage).
  const d = (await linePath(figure).getAttribute('d')) ?? '';
  const firstX = Number(/^M([\d.]+)/.exec(d)?.[1]);
  expect(firstX).toBeLessThan(3); // of 300
  expect(d.match(/M/g)?.length).toBeGreaterThanOrEqual(2);
});

test("a running machine's hour fills with the sampler's points", async ({ page }) => {
  await signInAsAdmin(page);
  await openMachine(page, 'web-a1');
  const history = historyOf(page);
  // The hour is the first range shown.
  await expect(history.getByRole('button', { name: 'Hour', exact: true })).toHaveAttribute('aria-pressed', 'true');
  const cpuName = /^CPU load over the last hour: latest \d+%, peak \d+%$/;
  await expect(history.getByRole('img', { name: cpuName })).toBeVisible({ timeout: 20_000 });
  await expect(history.getByRole('img', { name: /^Memory in use over the last hour: latest [\d.]+ [MG]iB of [\d.]+ [MG]iB, peak/ })).toBeVisible();
  // A sample every 5 seconds: the line grows as the page re-reads the history.
  const line = linePath(figureOf(history, cpuName));
  const before = ((await line.getAttribute('d')) ?? '').split('L').length;
  await expect.poll(async () => ((await line.getAttribute('d')) ?? '').split('L').length, { timeout: 20_000 }).toBeGreaterThan(before);
});

test("a host's page opens from the hosts list with its status and charts", async ({ page }) => {
  await signInAsAdmin(page);
  // The host card on the cluster view shows the last hour of CPU load.
  const card = page.getByRole('article', { name: 'vbox-alpha' });
  await expect(card.getByRole('img', { name: /^CPU load over the last hour: latest \d+%, peak \d+%$/ })).toBeVisible({ timeout: 30_000 });

  await navigate(page, 'Hosts');
  await page.getByRole('table', { name: 'Hosts' }).getByRole('link', { name: 'vbox-alpha', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'vbox-alpha' })).toBeVisible();
  await expect(page).toHaveURL(/\/hosts\/[^/]+$/);
  const status = page.getByRole('region', { name: 'Status' });
  await expect(status.getByRole('meter', { name: 'Memory' })).toBeVisible();
  await expect(status.getByText(/^\d+ \(\d+ running\)$/)).toBeVisible();

  const history = historyOf(page);
  await expect(history.getByRole('img', { name: /^CPU load over the last hour: latest \d+%, peak \d+%$/ })).toBeVisible();
  await expect(history.getByRole('img', { name: /^Memory in use over the last hour: latest/ })).toBeVisible();
  // Another range re-reads the history: a week of this fresh stack is its last minutes (15-minute buckets once rolled up).
  await history.getByRole('button', { name: 'Week', exact: true }).click();
  // Each chart: its line, or that it has no samples (several charts may say so).
  await expect(history.getByRole('img', { name: /over the last 7 days/ }).or(history.getByText('No samples in the last 7 days.', { exact: false })).first()).toBeVisible();
});

test("a tenant's user sees a host's charts but no other tenant's machine", async ({ page, browser }) => {
  const identity = readIdentity();
  test.skip(!identity.ldap, `no LDAP directory in the e2e stack: ${identity.ldapSkipped}`);
  const admin = await browser.newPage();
  await signInAsAdmin(admin);
  const other = await machineIdOf(admin, 'web-a1');
  await admin.close();

  const { username, password, realmLabel } = identity.ldap!;
  await page.goto('/t/blue/login');
  await submitSignIn(page, username, password, realmLabel);
  await page.getByRole('article', { name: 'vbox-bravo' }).getByRole('link', { name: 'vbox-bravo' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'vbox-bravo' })).toBeVisible();
  // Counts of the tenant's own machines only (what the machine list gives them there), and no machine named at all.
  const hostId = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1)!);
  const own = (await (await page.request.get(`/api/v1/vms?host=${encodeURIComponent(hostId)}`)).json()) as { total: number };
  await expect(page.getByRole('region', { name: 'Status' }).getByText(new RegExp(`^${own.total} \\(\\d+ running\\)$`))).toBeVisible();
  await expect(historyOf(page).getByRole('img', { name: /^CPU load over the last hour: latest \d+%/ })).toBeVisible({ timeout: 20_000 });
  await expect(page.getByText('web-a1')).toHaveCount(0);
  // Another tenant's machine has no history for them: as if it did not exist.
  expect((await page.request.get(`/api/v1/vms/${other}/history?range=day`)).status()).toBe(404);
});
