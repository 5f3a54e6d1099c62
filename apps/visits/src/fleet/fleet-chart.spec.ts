import { describe, expect, it } from 'vitest';
import { fleetChart } from './fleet-chart.js';
import type { FleetPod, FleetSnapshot } from './fleet.types.js';
import { unansweredRow } from './testing/fleet-rows.js';

const self: FleetPod = { pod: 'visits-0', count: 0, self: true, ready: true };

function snapshot(pods: FleetPod[], overrides: Partial<FleetSnapshot> = {}): FleetSnapshot {
  return {
    pods,
    total: pods.reduce((sum, p) => sum + (p.count ?? 0), 0),
    complete: pods.every((p) => p.error === undefined),
    source: { via: 'peers', peers: [] },
    askedAt: '2026-12-03T10:00:00.000Z',
    ...overrides,
  };
}

const widths = (html: string) => [...html.matchAll(/width:([\d.]+)%/g)].map((m) => Number(m[1]));

describe('fleetChart', () => {
  it('draws each bar as its count’s share of the largest, and empty bars when all are 0', () => {
    const pods: FleetPod[] = [
      { ...self, count: 1 },
      { pod: 'visits-1', address: 'a:1', count: 3, self: false, ready: true },
      { pod: 'visits-2', address: 'b:1', count: 0, self: false, ready: true },
    ];
    expect(widths(fleetChart(snapshot(pods)))).toEqual([33.333, 100, 0]);
    expect(widths(fleetChart(snapshot([self])))).toEqual([0]);
  });

  it('tags this pod and a pod that is not ready; a failed pod gets its reason instead of a bar', () => {
    const html = fleetChart(
      snapshot([
        self,
        { pod: 'visits-1', address: 'a:1', count: 2, self: false, ready: false },
        { pod: 'visits-2', address: 'b:1', count: 2, self: false, ready: null },
        {
          pod: 'visits-3',
          address: '10.0.0.3:3000',
          count: null,
          self: false,
          ready: false,
          error: 'no answer within 500 ms',
        },
      ]),
    );
    expect(html.match(/<span class="tag">[^<]+<\/span>/g)).toEqual([
      '<span class="tag">this pod</span>',
      '<span class="tag">not ready</span>',
    ]);
    expect(html).toContain('<span class="why">10.0.0.3:3000: no answer within 500 ms</span>');
    expect(widths(html)).toHaveLength(3);
    expect(html).toContain(
      'Incomplete: 1 of 4 pods did not answer, so the fleet has counted at least <strong>4</strong> visits.',
    );
  });

  it('escapes everything a peer or DNS reports', () => {
    const html = fleetChart(
      snapshot(
        [
          self,
          { pod: '<img src=x>', address: 'a:1', count: 1, self: false, ready: true },
          unansweredRow('b:1', 'answered something that is not JSON: "<script>"'),
        ],
        {
          source: { via: 'dns', name: 'x', error: 'DNS lookup of x failed (<b>)' },
          complete: false,
        },
      ),
    );
    expect(html).not.toMatch(/<img|<script|<b>/);
    expect(html).toContain('&lt;img src=x&gt;');
    expect(html).toContain('&quot;&lt;script&gt;&quot;');
    expect(html).toContain('DNS lookup of x failed (&lt;b&gt;).');
  });

  it('says so when complete, and when not configured', () => {
    expect(fleetChart(snapshot([{ ...self, count: 1234 }]))).toContain(
      '<strong>1,234</strong> visits on 1 pod, each as its own store held it when asked.',
    );
    expect(
      fleetChart(snapshot([self], { source: { via: 'none', note: 'not configured: set X' } })),
    ).toContain('<p class="summary">not configured: set X.</p>');
  });
});
