/// <reference lib="dom" />
// The callbacks given to page.$$eval and page.evaluate run in the browser: DOM types.
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FleetSnapshot } from '../../src/fleet/fleet.types.js';
import { recordVisits, request } from '../harness/http.ts';
import { REPO_ROOT } from '../harness/paths.ts';
import { freePort } from '../harness/ports.ts';
import { assertBuilt, killAll, ServiceProcess } from '../harness/service-process.ts';
import { chromiumMissing, launchChromium } from './chromium.ts';

/** Where the screenshots go: the docs' images with VISITS_UPDATE_SCREENSHOTS=1, else a temp dir. */
const UPDATE = process.env['VISITS_UPDATE_SCREENSHOTS'] === '1';
const DOCS_IMAGES = join(REPO_ROOT, 'docs', 'images');

/** What the page shows for one pod of the chart, read from the rendered page. */
interface ShownRow {
  pod: string | null;
  value: string;
  self: boolean;
  failed: boolean;
  barRatio: number | null;
  barColor: string | null;
  why: string | null;
}

function shownRows(page: Page): Promise<ShownRow[]> {
  return page.$$eval('.bars .row', (rows) =>
    rows.map((row) => {
      const bar = row.querySelector<HTMLElement>('.bar');
      const track = row.querySelector<HTMLElement>('.track');
      return {
        pod: row.getAttribute('data-pod'),
        value: row.querySelector('.value')?.textContent ?? '',
        self: row.classList.contains('self'),
        failed: row.classList.contains('failed'),
        barRatio:
          bar && track
            ? bar.getBoundingClientRect().width / track.getBoundingClientRect().width
            : null,
        barColor: bar ? getComputedStyle(bar).backgroundColor : null,
        why: row.querySelector('.why')?.textContent ?? null,
      };
    }),
  );
}

async function fleetOf(url: string): Promise<FleetSnapshot> {
  const reply = await request(`${url}/fleet`, { headers: { accept: 'application/json' } });
  expect(reply.status, reply.text).toBe(200);
  return reply.json<FleetSnapshot>();
}

/** The chart matches /fleet: the same pods in the same order, their counts, bars to scale. */
function expectChartToMatch(rows: ShownRow[], fleet: FleetSnapshot): void {
  expect(rows.map((r) => r.pod)).toEqual(fleet.pods.map((p) => p.pod));
  const max = Math.max(...fleet.pods.map((p) => p.count ?? 0));
  for (const [i, pod] of fleet.pods.entries()) {
    const row = rows[i]!;
    expect(row.self, `${pod.pod} highlighted`).toBe(pod.self);
    if (pod.count === null) {
      expect(row).toMatchObject({ failed: true, value: '?', barRatio: null });
      expect(row.why).toContain(pod.error);
    } else {
      expect(row.value.replace(/,/g, '')).toBe(String(pod.count));
      expect(row.barRatio, `${pod.pod}'s bar`).toBeCloseTo(pod.count / max, 2);
    }
  }
}

const missing = chromiumMissing();
if (missing !== undefined) console.warn(`\n[browser] SKIPPING the browser test: ${missing}\n`);
const describeWithChromium = missing === undefined ? describe : describe.skip;

// The page a person sees, in a real browser: three services that list each other (FLEET_PEERS on
// loopback), the page of the middle one, and what it shows held against GET /fleet.
describeWithChromium(
  `the visit page in Chromium${missing === undefined ? '' : ` [skipped: ${missing}]`}`,
  { timeout: 90_000 },
  () => {
    const services: ServiceProcess[] = [];
    const dataDirs: string[] = [];
    let shots = '';

    beforeAll(async () => {
      assertBuilt();
      shots = UPDATE ? DOCS_IMAGES : await mkdtemp(join(tmpdir(), 'visits-screens-'));
      await mkdir(shots, { recursive: true });
      const ports = [await freePort(), await freePort(), await freePort()];
      const peers = ports.map((p) => `127.0.0.1:${p}`).join(',');
      for (const [i, port] of ports.entries()) {
        const dataDir = await mkdtemp(join(tmpdir(), `visits-browser-${i}-`));
        dataDirs.push(dataDir);
        services.push(
          await ServiceProcess.start(dataDir, {
            name: `visits-${i}`,
            port,
            env: { FLEET_PEERS: peers, TIMEZONE: 'Europe/Berlin' },
          }),
        );
      }
      // Different counts on each: what a person sees after the Service spread their visits.
      await recordVisits(services[0]!.url, 12);
      await recordVisits(services[1]!.url, 6);
      await recordVisits(services[2]!.url, 17);
    });

    afterAll(async () => {
      await killAll();
      await Promise.all(dataDirs.map((d) => rm(d, { recursive: true, force: true })));
      if (!UPDATE && shots !== '') await rm(shots, { recursive: true, force: true });
    });

    it('shows the count, the pod, the time and the fleet as /fleet has it, and fits 390 px', async () => {
      await using browser = await launchChromium();
      const page = await browser.newPage();
      const origin = services[1]!.url;
      const requested: string[] = [];
      page.on('request', (r) => requested.push(r.url()));

      await page.setViewportSize({ width: 1200, height: 900 });
      const response = await page.goto(`${origin}/`);
      expect(response?.status()).toBe(200);

      // This pod's count (the visit just made is the 7th) and name, first and large.
      expect(await page.textContent('.count')).toBe('7');
      expect(await page.textContent('.pod')).toBe('visits-1');
      const countSize = await page.$eval('.count', (e) => parseFloat(getComputedStyle(e).fontSize));
      expect(countSize).toBeGreaterThanOrEqual(48);
      expect(await page.textContent('.clock')).toMatch(
        /^It is \d\d:\d\d:\d\d in Europe\/Berlin \((CET|CEST)\), [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+ \d{4}\.$/,
      );
      expect(await page.$$eval('.recent li', (items) => items.length)).toBe(7);

      const fleet = await fleetOf(origin);
      expect(fleet.pods.map((p) => [p.pod, p.count])).toEqual([
        ['visits-0', 12],
        ['visits-1', 7],
        ['visits-2', 17],
      ]);
      const rows = await shownRows(page);
      expectChartToMatch(rows, fleet);
      // This pod's bar stands out from the others'.
      expect(rows[1]!.barColor).not.toBe(rows[0]!.barColor);
      expect(rows[0]!.barColor).toBe(rows[2]!.barColor);
      expect(await page.textContent('.explain')).toMatch(/own volume/);

      // Nothing came from anywhere but the service: no fonts, scripts or images.
      expect(requested).toEqual([`${origin}/`]);
      await page.screenshot({ path: join(shots, 'page-1200.png'), fullPage: true });

      // A phone: nothing wider than the screen, every bar still there.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        390,
      );
      expectChartToMatch(await shownRows(page), fleet);
      await page.screenshot({ path: join(shots, 'page-390.png'), fullPage: true });

      for (const file of ['page-1200.png', 'page-390.png']) {
        expect((await stat(join(shots, file))).size).toBeGreaterThan(10_000);
      }
    });

    it('shows a pod that stopped as not answering, with the reason, on the page and at /fleet', async () => {
      await using browser = await launchChromium();
      const page = await browser.newPage();
      const origin = services[0]!.url;
      await services[2]!.kill();

      // The fleet is cached for up to a second: poll until the stopped pod shows.
      await vi.waitFor(
        async () => {
          await page.goto(`${origin}/fleet`);
          expect((await shownRows(page)).map((r) => r.failed)).toEqual([false, false, true]);
        },
        { timeout: 10_000, interval: 200 },
      );
      const fleet = await fleetOf(origin);
      expect(fleet.complete).toBe(false);
      expectChartToMatch(await shownRows(page), fleet);
      expect(await page.textContent('.summary')).toMatch(/^Incomplete: 1 of 3 pods did not answer/);
      await page.setViewportSize({ width: 390, height: 700 });
      await page.screenshot({ path: join(shots, 'fleet-incomplete-390.png'), fullPage: true });
    });
  },
);
