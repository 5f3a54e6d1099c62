import { execFile } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { METRIC_NAMES } from '@stateful-visits/visits-contract';
import { describe, expect, it, vi } from 'vitest';
import { scanJournal } from '../../src/store/journal.js';
import { countOf, request } from '../harness/http.js';
import { VisitLoad } from '../harness/load.js';
import { ServiceProcess } from '../harness/service-process.js';
import { STACK_FRAME } from '../harness/service.js';
import { fillJournal } from './support/journals.js';
import { preload } from './support/preloads.js';
import { faultWorkDir } from './support/suite.js';

const run = promisify(execFile);
const CLIENTS = 32;
const START = 1_000_000;
/** Probes sent at once, over and over, while statfs hangs (kubelet, a load balancer, a person). */
const PROBES = 16;

/** The `volume` check of a readiness report. */
function volumeReport(body: string): { status: string; message: string } {
  return (JSON.parse(body) as { details: { volume: { status: string; message: string } } }).details
    .volume;
}

/** The most gated statfs calls the preload saw in flight at once (its stderr lines). */
function mostInFlight(output: string): number {
  let most = 0;
  for (const match of output.matchAll(/\{"fault":"statfs","inFlight":(\d+)\}/g)) {
    most = Math.max(most, Number(match[1]));
  }
  return most;
}

// Readiness asks the volume for its free space (statfs). On a hung volume — an NFS server gone, a
// stuck CSI driver — statfs blocks in one of libuv's four threads, which the journal's fdatasync
// needs too. The check is single-flight with a timeout, so probes can never take more than one.
describe('a volume whose statfs hangs (injected by a preload: a FIFO nobody writes to)', () => {
  const figures: Record<string, number> = {};
  const workDir = faultWorkDir('hang', 'hung volume', () => figures);

  it('keeps committing visits, compactions included, while readiness reports the volume unresponsive; recovers when it answers', async () => {
    const dataDir = join(workDir(), 'data');
    const gate = join(workDir(), 'statfs-gate');
    await run('mkfifo', [gate]);
    // While the test holds the FIFO open read-write, opening it for reading does not block.
    let holder: number | undefined = openSync(gate, 'r+');
    const probing = { on: true, sent: 0, statuses: new Map<string, number>() };
    let load: VisitLoad | undefined;
    try {
      // A nearly full journal: the hang has to last through a compaction.
      await mkdir(dataDir);
      await fillJournal(dataDir, START, 20_000);
      const service = await ServiceProcess.start(dataDir, {
        preload: [preload.ioFaults],
        env: { FAULT_IO_OP: 'statfs', FAULT_IO_GATE: gate },
      });
      const context = () => `output:\n${service.output().slice(-4000)}`;
      const running = new VisitLoad(service.url, CLIENTS);
      load = running;
      await vi.waitFor(() => expect(running.acknowledged.length).toBeGreaterThan(500), {
        timeout: 20_000,
      });

      // The volume hangs.
      closeSync(holder);
      holder = undefined;
      const atHang = running.acknowledged.length;
      const probe = async () => {
        while (probing.on) {
          probing.sent++;
          const path = probing.sent % 4 === 0 ? '/metrics' : '/health/ready';
          // 0: no answer (the connection failed): counted, and checked below.
          const status = await request(`${service.opsUrl}${path}`, { timeoutMs: 10_000 }).then(
            (reply) => reply.status,
            () => 0,
          );
          const key = `${path.slice(1).replace('health/', '')}:${status}`;
          probing.statuses.set(key, (probing.statuses.get(key) ?? 0) + 1);
        }
      };
      const probes = Array.from({ length: PROBES }, probe);

      await vi.waitFor(
        async () => {
          const ready = await request(`${service.opsUrl}/health/ready`);
          expect(ready.status).toBe(503);
          expect(volumeReport(ready.text)).toMatchObject({
            status: 'down',
            message: expect.stringMatching(
              /^the data volume is unresponsive: its free-space check \(statfs\) has waited \d+ ms \(limit 1000 ms\)/,
            ),
          });
        },
        { timeout: 10_000, interval: 100 },
      );
      const hungAt = performance.now();
      // Visits keep being acknowledged while the probes keep coming, and the journal is compacted.
      await vi.waitFor(
        () => {
          expect(running.acknowledged.length - atHang).toBeGreaterThan(5_000);
          expect(performance.now() - hungAt).toBeGreaterThan(3_000);
        },
        { timeout: 60_000, interval: 50 },
      );
      const duringHang = running.acknowledged.length - atHang;
      const scan = scanJournal(await readFile(join(dataDir, 'visits.journal')), 100);
      expect(scan.header.generation, 'a compaction happened during the hang').toBeGreaterThan(1n);
      expect(running.failures.size, context()).toBe(0);
      expect(mostInFlight(service.output()), context()).toBe(1);
      const scrape = await request(`${service.opsUrl}/metrics`);
      expect(scrape.status).toBe(200);
      expect(scrape.text).toContain(METRIC_NAMES.volumeRequiredBytes);

      // The volume answers again: readiness follows without a restart.
      holder = openSync(gate, 'r+');
      await vi.waitFor(
        async () => expect((await request(`${service.opsUrl}/health/ready`)).status).toBe(200),
        { timeout: 10_000, interval: 50 },
      );
      probing.on = false;
      await Promise.all(probes);
      await running.stop();
      // Every probe was answered, 200 or 503: none was left waiting on the hung volume.
      for (const key of probing.statuses.keys()) expect(key, context()).toMatch(/:(200|503)$/);

      const lines = service.logLines();
      const warned = lines.filter((l) => /has not answered a free-space check/.test(l.msg ?? ''));
      const answered = lines.filter((l) => /answers again/.test(l.msg ?? ''));
      expect(warned, context()).toHaveLength(1);
      expect(warned[0]).toMatchObject({ level: 'warn', timeoutMs: 1000 });
      expect(answered, context()).toHaveLength(1);
      expect(answered[0]).toMatchObject({ level: 'info' });
      expect(mostInFlight(service.output()), context()).toBe(1);

      // Exact: every visit acknowledged once, the count equals the acknowledgements.
      expect(running.distinct).toBe(running.acknowledged.length);
      expect(await countOf(service.url)).toBe(START + running.acknowledged.length);
      expect(running.highest).toBe(START + running.acknowledged.length);
      expect((await service.stop()).code).toBe(0);
      expect(service.output()).not.toMatch(STACK_FRAME);

      Object.assign(figures, {
        acknowledgedDuringHang: duringHang,
        probesDuringHang: probing.sent,
        probeAnswers: [...probing.statuses].map(([key, n]) => `${key}x${n}`).join(','),
        statfsInFlightAtMost: mostInFlight(service.output()),
      });
    } finally {
      probing.on = false;
      await load?.stop();
      if (holder !== undefined) closeSync(holder);
    }
  });
});
