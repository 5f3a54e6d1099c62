import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MAIN, loadVisits, startService, type ServiceProcess } from './service-process.js';

describe('the built service as a process', () => {
  let dataDir: string;
  const started: ServiceProcess[] = [];

  beforeAll(() => {
    if (!existsSync(MAIN))
      throw new Error(
        `${MAIN} is missing: run "npm run build" first (turbo does it for "npm test")`,
      );
  });
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'visits-process-'));
  });
  afterEach(async () => {
    for (const s of started.splice(0)) s.child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}) {
    const service = await startService(dataDir, env);
    started.push(service);
    return service;
  }

  async function countOf(service: ServiceProcess): Promise<number> {
    return ((await (await fetch(`${service.url}/visits`)).json()) as { count: number }).count;
  }

  it('keeps every acknowledged visit through kill -9 under concurrent load', async () => {
    const first = await start();
    const load = loadVisits(first.url, 32);
    await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThan(500), {
      timeout: 20_000,
      interval: 20,
    });
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    await load.stop();

    const highest = Math.max(...load.acknowledged);
    expect(new Set(load.acknowledged).size).toBe(load.acknowledged.length);

    const second = await start();
    const count = await countOf(second);
    expect(count).toBeGreaterThanOrEqual(highest);
    expect(count).toBeLessThanOrEqual(load.attempted());
    expect(await readFile(join(dataDir, 'visits'), 'utf8')).toBe(`${count}\n`);
    // and it keeps counting from there
    const next = (await (await fetch(`${second.url}/visits`, { method: 'POST' })).json()) as {
      count: number;
    };
    expect(next.count).toBe(count + 1);
  });

  it('drains and exits 0 on SIGTERM under load, with every acknowledged visit on disk', async () => {
    const first = await start();
    const load = loadVisits(first.url, 32);
    await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThan(300), {
      timeout: 20_000,
      interval: 20,
    });
    const signalled = Date.now();
    first.child.kill('SIGTERM');
    const { code } = await first.exited;
    const tookMs = Date.now() - signalled;
    await load.stop();

    expect(code).toBe(0);
    expect(tookMs).toBeLessThan(10_000);
    expect(first.output()).toMatch(/"msg":"stopped"/);
    const second = await start();
    expect(await countOf(second)).toBeGreaterThanOrEqual(Math.max(...load.acknowledged));
  });

  it('refuses a second process on the same data directory at once, and starts at once after kill -9', async () => {
    const first = await start();
    await fetch(`${first.url}/visits`, { method: 'POST' });
    await expect(start()).rejects.toThrow(/in use by another process/);
    expect(await countOf(first)).toBe(1);

    first.child.kill('SIGKILL');
    await first.exited;
    const second = await start();
    expect(await countOf(second)).toBe(1);
  });

  it('stops with exit code 1 and one clear line on a damaged journal, leaving it untouched', async () => {
    const first = await start();
    await fetch(`${first.url}/visits`, { method: 'POST' });
    first.child.kill('SIGTERM');
    await first.exited;
    const { writeFile } = await import('node:fs/promises');
    const journal = join(dataDir, 'visits.journal');
    const bytes = await readFile(journal);
    bytes[40] = bytes[40]! ^ 0xff;
    await writeFile(journal, bytes);

    const message = await start().then(
      () => 'started',
      (e: Error) => e.message,
    );
    expect(message).toMatch(/exited with 1/);
    expect(message).toMatch(/visits\.journal is damaged/);
    expect(message).not.toMatch(/\n\s+at /);
    expect((await readFile(journal)).equals(bytes)).toBe(true);
  });

  it('stops with exit code 1 naming a bad variable', async () => {
    await expect(start({ RECENT_VISITS: 'lots' })).rejects.toThrow(
      /exited with 1[\s\S]*RECENT_VISITS must be a whole number/,
    );
  });
});
