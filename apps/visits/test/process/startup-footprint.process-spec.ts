import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAIN, startService, type ServiceProcess } from './service-process.js';

const PROBE = fileURLToPath(new URL('./fixtures/intl-probe.js', import.meta.url));
const built = (output: string) =>
  output.split('\n').filter((line) => line.startsWith('intl-probe: '));

// ICU's data costs about 7 MiB of RSS once the first Intl.DateTimeFormat is built (docs/benchmarks.md):
// the bundle makes NestJS's own formatters lazy (build/lazy-intl.js) and the default TIMEZONE needs
// no check, so an idle service has built none.
describe('what the built service loads before it is asked', () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run "npm run build" first`);
  });
  afterEach(async () => {
    service?.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}) {
    dataDir = await mkdtemp(join(tmpdir(), 'visits-footprint-'));
    service = await startService(dataDir, { NODE_OPTIONS: `--import ${PROBE}`, ...env });
    return service;
  }

  it('builds no Intl.DateTimeFormat to start, count visits or report them; GET / builds one, once', async () => {
    const s = await start();
    expect((await fetch(`${s.url}/visits`, { method: 'POST' })).status).toBe(201);
    expect((await fetch(`${s.url}/visits`)).status).toBe(200);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(200);
    expect(built(s.output())).toEqual([]);

    // The page for people shows the time in TIMEZONE: that needs ICU, built once and reused.
    for (let i = 0; i < 3; i++) expect((await fetch(`${s.url}/`)).status).toBe(200);
    expect(built(s.output())).toEqual(['intl-probe: Intl.DateTimeFormat built (timeZone UTC)']);
  });

  it('checks a TIMEZONE other than UTC at startup (with ICU), and still refuses a wrong one', async () => {
    const s = await start({ TIMEZONE: 'Europe/Berlin' });
    expect(built(s.output())).toEqual([
      'intl-probe: Intl.DateTimeFormat built (timeZone Europe/Berlin)',
    ]);
    s.child.kill('SIGKILL');
    await expect(start({ TIMEZONE: 'Mars/Olympus' })).rejects.toThrow(/TIMEZONE/);
  });
});
