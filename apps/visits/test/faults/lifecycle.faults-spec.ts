import { Agent } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { countOf, request } from '../harness/http.js';
import { VisitLoad } from '../harness/load.js';
import { runToExit, ServiceProcess } from '../harness/service-process.js';
import { expectRefusal } from '../harness/refusal.js';
import { faultWorkDir } from './support/suite.js';

const CLIENTS = 64;
/** SHUTDOWN_TIMEOUT_MS's default: the longest a graceful shutdown may take. */
const GRACE_MS = 10_000;

interface Probe {
  readonly sentAt: number;
  readonly doneAt: number;
  /** HTTP status, or -1 when the connection was refused or reset. */
  readonly status: number;
  readonly body: string;
}

/**
 * Polls /health/ready back to back on its own keep-alive connection (as a load balancer's health
 * checker does) until stopped, recording when each probe was sent and what it got.
 */
function probeReadiness(url: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const probes: Probe[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const sentAt = performance.now();
      try {
        const reply = await request(`${url}/health/ready`, { agent, timeoutMs: 5_000 });
        probes.push({ sentAt, doneAt: performance.now(), status: reply.status, body: reply.text });
      } catch {
        probes.push({ sentAt, doneAt: performance.now(), status: -1, body: '' });
        if (running) await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  })();
  return {
    probes,
    async stop() {
      running = false;
      await done;
      agent.destroy();
    },
  };
}

/**
 * terminus's report once shutdown has begun (status "error" with the lifecycle check down, or
 * "shutting_down" once Nest is closing), or Fastify's 503 for a request that arrives while closing.
 */
function isShutdownReport(body: Record<string, unknown>): boolean {
  const lifecycle = JSON.stringify(
    (body['error'] as Record<string, unknown> | undefined)?.['lifecycle'],
  );
  return (
    (body['status'] === 'error' && lifecycle === '{"status":"down","reason":"shutting down"}') ||
    body['status'] === 'shutting_down' ||
    (body['statusCode'] === 503 && body['error'] === 'Service Unavailable')
  );
}

describe('process lifecycle under load', () => {
  const figures = { acknowledgedVisitsChecked: 0, shutdownMs: 0, readinessDownAfterMs: 0 };

  const workDir = faultWorkDir('life', 'lifecycle', () => figures);

  it('refuses a second instance on the same directory at once; after kill -9 of the first a new one starts at once', async () => {
    const dataDir = join(workDir(), 'second');
    const first = await ServiceProcess.start(dataDir);
    const load = new VisitLoad(first.url, CLIENTS);
    await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThan(200), {
      timeout: 20_000,
      interval: 5,
    });

    const second = await runToExit(dataDir);
    expect(expectRefusal(second).msg).toMatch(
      new RegExp(`the data directory ${dataDir} is in use by another process`),
    );
    // At once: the time to load node and the app, not a wait for the lock.
    expect(second.ms).toBeLessThan(5_000);
    // The first never noticed.
    const before = load.acknowledged.length;
    await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThan(before + 200), {
      timeout: 20_000,
      interval: 5,
    });
    expect(load.failures.size, JSON.stringify([...load.failures])).toBe(0);

    await first.kill();
    const started = Date.now();
    const third = await ServiceProcess.start(dataDir);
    const startMs = Date.now() - started;
    await load.stop();
    expect(startMs, 'the lock died with its holder').toBeLessThan(5_000);
    const count = await countOf(third.url);
    expect(count).toBeGreaterThanOrEqual(load.highest);
    expect(count).toBeLessThanOrEqual(load.attempted);
    expect(new Set(load.acknowledged).size).toBe(load.acknowledged.length);
    figures.acknowledgedVisitsChecked += load.acknowledged.length;
  });

  it('on SIGTERM under load: readiness 503 at once, every 2xx visit on disk, exit 0 within the grace period', async () => {
    const dataDir = join(workDir(), 'sigterm');
    const service = await ServiceProcess.start(dataDir);
    const load = new VisitLoad(service.url, CLIENTS);
    const readiness = probeReadiness(service.opsUrl);
    await vi.waitFor(() => expect(load.acknowledged.length).toBeGreaterThan(1_000), {
      timeout: 20_000,
      interval: 5,
    });

    const signalledAt = performance.now();
    service.signal('SIGTERM');
    const exit = await service.exited;
    const shutdownMs = performance.now() - signalledAt;
    await load.stop();
    await readiness.stop();

    const context = `output:\n${service.output()}`;
    expect(exit.code, context).toBe(0);
    expect(shutdownMs, context).toBeLessThan(GRACE_MS);
    expect(service.output(), context).toMatch(/"msg":"stopped"/);

    // Readiness: up until the signal; from the first answer that shows the shutdown on, never up
    // again; and that answer came right after the signal. (A probe in flight at the signal may
    // already get the shutdown answer.)
    const before = readiness.probes.filter((p) => p.doneAt < signalledAt);
    expect(before.length).toBeGreaterThan(0);
    expect(before.every((p) => p.status === 200)).toBe(true);
    const after = readiness.probes.filter((p) => p.doneAt >= signalledAt);
    const firstDown = after.findIndex((p) => p.status !== 200);
    expect(firstDown, 'readiness never went down').toBeGreaterThanOrEqual(0);
    expect(after.slice(firstDown).every((p) => p.status !== 200)).toBe(true);
    const downAfterMs = after[firstDown]!.doneAt - signalledAt;
    expect(downAfterMs, 'readiness was still up this long after SIGTERM').toBeLessThan(250);
    // Down means 503 on a connection that was already open (terminus's report, or Fastify's own
    // answer once the server is closing) or a refused connection: the port is closed by then.
    for (const p of after.slice(firstDown)) {
      expect([503, -1], JSON.stringify(p)).toContain(p.status);
      if (p.status === 503) expect(JSON.parse(p.body)).toSatisfy(isShutdownReport);
    }

    // Every visit answered 2xx is on disk; and with a graceful stop, nothing else is.
    const restarted = await ServiceProcess.start(dataDir);
    const count = await countOf(restarted.url);
    expect(count).toBeGreaterThanOrEqual(load.highest);
    expect(new Set(load.acknowledged).size).toBe(load.acknowledged.length);
    expect(count).toBe(load.acknowledged.length);

    figures.acknowledgedVisitsChecked += load.acknowledged.length;
    figures.shutdownMs = Math.round(shutdownMs);
    figures.readinessDownAfterMs = Math.round(downAfterMs * 10) / 10;
  });
});
