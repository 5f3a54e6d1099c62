import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSnapshot } from '../../src/fleet/fleet.types.js';
import { PeerServer } from '../../src/fleet/testing/peer-server.js';
import { freePort } from '../harness/ports.js';
import { apiAt } from './described.js';
import { startTestingApp } from './testing-app.js';
import { byAddress, unansweredRow } from '../../src/fleet/testing/fleet-rows.js';

interface Pod {
  readonly app: NestFastifyApplication;
  readonly url: string;
  readonly address: string;
  /** The access log and everything else it logged, one JSON object per line. */
  readonly logs: Record<string, unknown>[];
}

const disposers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(disposers.splice(0).map((dispose) => dispose()));
});

/** The real app in process, listening on 127.0.0.1:`port`, its log captured. */
async function startPod(name: string, port: number, env: Record<string, string>): Promise<Pod> {
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'info' },
    { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const sut = await startTestingApp(
    { POD_NAME: name, HOST: '127.0.0.1', PORT: String(port), ...env },
    logger,
  );
  disposers.push(async () => sut[Symbol.asyncDispose]());
  await sut.app.listen({ port, host: '127.0.0.1' });
  return { app: sut.app, url: `http://127.0.0.1:${port}`, address: `127.0.0.1:${port}`, logs };
}

async function peer(...args: Parameters<typeof PeerServer.start>): Promise<PeerServer> {
  const started = await PeerServer.start(...args);
  disposers.push(() => started.close());
  return started;
}

async function fleetOf(url: string): Promise<FleetSnapshot> {
  const reply = await apiAt(url).send('/fleet', { headers: { accept: 'application/json' } });
  expect(reply.status, reply.text).toBe(200);
  expect(reply.headers['cache-control']).toBe('no-store');
  return reply.json<FleetSnapshot>();
}

const requestLines = (pod: Pod) => pod.logs.filter((l) => l['msg'] === 'request completed');

describe('GET /fleet', () => {
  it('lists every pod with its count, asking each peer GET /visits?limit=0 and recording nothing', async () => {
    const [port0, port1, port2] = [await freePort(), await freePort(), await freePort()];
    // visits-1 has peers of its own: being asked by visits-0 must not make it ask them.
    const behindVisits1 = await peer({ kind: 'count', pod: 'visits-9', count: 9 });
    const all = `127.0.0.1:${port0},127.0.0.1:${port1},127.0.0.1:${port2}`;
    const visits0 = await startPod('visits-0', port0, { FLEET_PEERS: all });
    const visits1 = await startPod('visits-1', port1, {
      FLEET_PEERS: `127.0.0.1:${port0},127.0.0.1:${behindVisits1.port}`,
    });
    const visits10 = await peer({ kind: 'count', pod: 'visits-10', count: 100 }, { port: port2 });
    await apiAt(visits0.url).record(3);
    await apiAt(visits1.url).record(5);
    const linesBefore = requestLines(visits1).length;

    const sut = await fleetOf(visits0.url);

    expect(sut).toEqual({
      pods: [
        { pod: 'visits-0', count: 3, self: true, ready: true },
        { pod: 'visits-1', address: visits1.address, count: 5, self: false, ready: true },
        {
          pod: 'visits-10',
          address: `127.0.0.1:${port2}`,
          count: 100,
          self: false,
          ready: true,
        },
      ],
      total: 108,
      complete: true,
      source: { via: 'peers', peers: all.split(',') },
      askedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    // Asked once each, the way the fleet asks; the peer's own peers were not asked.
    expect(visits10.requests).toEqual([
      { method: 'GET', url: '/visits?limit=0', userAgent: 'visits-fleet (visits-0)' },
    ]);
    expect(behindVisits1.requests).toEqual([]);
    expect(requestLines(visits1).slice(linesBefore)).toMatchObject([
      { method: 'GET', url: '/visits?limit=0', statusCode: 200 },
    ]);
    // No visit recorded anywhere, and /fleet is not in the access log.
    expect([await apiAt(visits0.url).count(), await apiAt(visits1.url).count()]).toEqual([3, 5]);
    expect(requestLines(visits0).filter((l) => String(l['url']).startsWith('/fleet'))).toEqual([]);
  });

  it('answers within the deadline with a peer that never answers and one that answers garbage', async () => {
    const hanging = await peer({ kind: 'hang' });
    const garbage = await peer({ kind: 'raw', status: 200, body: '<h1>It works!</h1>' });
    const port = await freePort();
    const visits0 = await startPod('visits-0', port, {
      FLEET_PEERS: `127.0.0.1:${hanging.port},127.0.0.1:${garbage.port}`,
      FLEET_TIMEOUT_MS: '100',
    });
    await apiAt(visits0.url).record(2);

    const sut = await fleetOf(visits0.url);

    // It answered while the hanging peer still holds its request open.
    expect(hanging.requests).toHaveLength(1);
    expect(sut.complete).toBe(false);
    expect(sut.total).toBe(2);
    expect(sut.pods).toEqual([
      { pod: 'visits-0', count: 2, self: true, ready: true },
      ...byAddress([
        unansweredRow(`127.0.0.1:${hanging.port}`, 'no answer within 100 ms'),
        unansweredRow(
          `127.0.0.1:${garbage.port}`,
          'answered something that is not JSON: "<h1>It works!</h1>"',
        ),
      ]),
    ]);
  });

  it('answers with this pod alone, saying why, when no peers are configured', async () => {
    const visits0 = await startPod('visits-0', await freePort(), {});
    const sut = await fleetOf(visits0.url);
    expect(sut.pods).toEqual([{ pod: 'visits-0', count: 0, self: true, ready: true }]);
    expect(sut.complete).toBe(false);
    expect(sut.source).toEqual({
      via: 'none',
      note: expect.stringContaining('the fleet view is not configured') as string,
    });
  });

  it('answers a browser with the chart: every pod, this one highlighted, failures with their reason', async () => {
    const visits1 = await peer({ kind: 'count', pod: 'visits-1', count: 6 });
    const gone = await freePort();
    const port = await freePort();
    const visits0 = await startPod('visits-0', port, {
      FLEET_PEERS: `127.0.0.1:${visits1.port},127.0.0.1:${gone}`,
    });
    await apiAt(visits0.url).record(3);
    const reply = await apiAt(visits0.url).send('/fleet', {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/html/);
    expect(reply.headers['vary']).toMatch(/Accept/);
    const rows = [...reply.text.matchAll(/<li class="([^"]+)"([^>]*)>/g)].map((m) => [
      m[1],
      m[2]?.trim(),
    ]);
    expect(rows).toEqual([
      ['row self', 'data-pod="visits-0" data-count="3" aria-current="true"'],
      ['row', `data-pod="visits-1" data-count="6" data-address="127.0.0.1:${visits1.port}"`],
      ['row failed', `data-address="127.0.0.1:${gone}"`],
    ]);
    expect(reply.text).toContain('style="width:50%"');
    expect(reply.text).toContain('style="width:100%"');
    // Known by its address only: named by it, the reason beside it.
    expect(reply.text).toContain(
      `<span class="addr">127.0.0.1:<wbr>${gone}</span></span><span class="track"></span><span class="value">?</span><span class="why">connection refused: nothing listens there (ECONNREFUSED)</span>`,
    );
    expect(reply.text).toContain('Incomplete: 1 of 3 pods did not answer');
    expect(await apiAt(visits0.url).count()).toBe(3);
  });

  it('shows the fleet on the visit page, and escapes what a peer reports', async () => {
    const odd = await peer({ kind: 'count', pod: 'visits-<i>1</i>', count: 4 });
    const visits0 = await startPod('visits-0', await freePort(), {
      FLEET_PEERS: `127.0.0.1:${odd.port}`,
    });
    const reply = await apiAt(visits0.url).send('/', { headers: { accept: 'text/html' } });
    expect(reply.status).toBe(200);
    expect(reply.text).toContain('data-pod="visits-&lt;i&gt;1&lt;/i&gt;" data-count="4"');
    expect(reply.text).not.toContain('<i>');
    expect(reply.text).toMatch(/<li class="row self" data-pod="visits-0" data-count="1"/);
  });
});
