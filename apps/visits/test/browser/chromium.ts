import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { isCi } from '../harness/ci.ts';

/**
 * Debian's chromium (scripts/ensure-chromium.sh): no browser download works here. VISITS_CHROMIUM
 * points elsewhere.
 */
const CHROMIUM = process.env['VISITS_CHROMIUM'] ?? '/usr/bin/chromium';

/** Headless, and none of Chromium's own traffic: no updates, sync or background requests. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/**
 * Why the browser tests cannot run here, or undefined when they can. In CI a missing Chromium is
 * an error instead, so the suite can never pass there by not running.
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  const reason = `no Chromium at ${CHROMIUM}: install it with \`bash scripts/ensure-chromium.sh\` (Debian's chromium)`;
  if (isCi()) throw new Error(`The browser test cannot run in CI: ${reason}`);
  return reason;
}

/** Chromium with a fresh profile of its own, removed again by dispose. */
export async function launchChromium(): Promise<BrowserContext & AsyncDisposable> {
  const profile = await mkdtemp(join(tmpdir(), 'visits-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  return Object.assign(context, {
    async [Symbol.asyncDispose]() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  });
}
