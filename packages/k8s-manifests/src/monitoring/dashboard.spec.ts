import { STORE_STATES } from '@stateful-visits/visits-contract';
import { describe, expect, it } from 'vitest';
import {
  dashboardQueries,
  dashboardVariables,
  expandVariables,
  storeStateCode,
  visitsDashboard,
} from './dashboard.js';

const sut = visitsDashboard();
const panels = (sut.panels ?? []) as {
  id?: number;
  type: string;
  title: string;
  datasource?: unknown;
  gridPos?: { x: number; y: number; w: number; h: number };
  targets?: { datasource?: unknown; legendFormat?: string; expr?: string }[];
  options?: { legend?: { showLegend?: boolean } };
  fieldConfig?: { defaults?: { mappings?: { options: Record<string, { text: string }> }[] } };
}[];
const byTitle = (title: string) => {
  const panel = panels.find((p) => p.title === title);
  if (!panel) throw new Error(`no panel "${title}"`);
  return panel;
};

describe('visitsDashboard', () => {
  it('shows what the issue lists, in four rows', () => {
    expect(panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual([
      'Overview',
      'Visits',
      'Store',
      'Process',
    ]);
    expect(panels.filter((p) => p.type !== 'row').map((p) => p.title)).toEqual([
      'Pods up',
      'Stores not open',
      'Unready for lack of space',
      'Version',
      'Stored visits per pod',
      'Visits recorded per second',
      'HTTP latency by route',
      'Requests by status',
      'Store state',
      'Free and required space',
      'Sync latency (write + fdatasync)',
      'Visits per batch',
      'Failed writes',
      'Restarts in 30 minutes',
      'Resident memory',
      'Event loop lag (p99)',
    ]);
  });

  it('has a Prometheus data source variable and a multi-value pod variable listing the scraped pods', () => {
    const [datasource, pod] = sut.templating?.list ?? [];
    expect(datasource).toMatchObject({
      type: 'datasource',
      name: 'datasource',
      query: 'prometheus',
    });
    expect(pod).toMatchObject({
      type: 'query',
      name: 'pod',
      query: 'label_values(up{job="visits"}, pod)',
      multi: true,
      includeAll: true,
      allValue: '.+',
      datasource: { type: 'prometheus', uid: '${datasource}' },
    });
    expect(dashboardVariables(sut)).toEqual(
      new Map([['pod', 'label_values(up{job="visits"}, pod)']]),
    );
  });

  it('queries the chosen data source in every panel and target', () => {
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      for (const t of panel.targets ?? []) expect(t.datasource).toEqual(panel.datasource);
    }
  });

  it('selects the job and the chosen pods in every selector of every query', () => {
    const queries = dashboardQueries(visitsDashboard({ jobSelector: 'job="visits-headless"' }));
    expect(queries).toHaveLength(20);
    for (const q of queries) {
      const selectors = [...q.expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/g)].map(
        (m) => m[1],
      );
      expect(selectors.length, q.expr).toBeGreaterThan(0);
      for (const s of selectors) expect(s, q.expr).toMatch(/^job="visits-headless", pod=~"\$pod"/);
    }
  });

  it('uses the pod label it is given in the variable, the selectors and the legends', () => {
    const other = visitsDashboard({ podLabel: 'kubernetes_pod_name' });
    expect(dashboardVariables(other).get('pod')).toBe(
      'label_values(up{job="visits"}, kubernetes_pod_name)',
    );
    const json = JSON.stringify(other);
    expect(json).toContain('kubernetes_pod_name=~\\"$pod\\"');
    expect(json).toContain('{{kubernetes_pod_name}}');
    expect(json).not.toMatch(/[{ ]pod=~|\{\{pod\}\}/);
  });

  it('shows each store state by name in the state timeline, one series per pod', () => {
    const panel = byTitle('Store state');
    const mapping = panel.fieldConfig?.defaults?.mappings?.[0]?.options ?? {};
    expect(
      Object.fromEntries(Object.entries(mapping).map(([code, { text }]) => [text, Number(code)])),
    ).toEqual(Object.fromEntries(STORE_STATES.map((s, i) => [s, i + 1])));
    const expr = panel.targets?.[0]?.expr ?? '';
    expect(expr).toMatch(/^max by \(pod\) \(/);
    for (const state of STORE_STATES) {
      expect(expr).toContain(`state="${state}"} * ${storeStateCode(state)}`);
    }
  });

  it('lays the panels out on the grid without overlaps, each with its own id', () => {
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const { title, gridPos } of panels) {
      expect(gridPos, title).toBeDefined();
      const { x, y, w, h } = gridPos!;
      expect(x + w, title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${title} overlaps another panel at ${i},${j}`).toBe(
            false,
          );
          cells.add(`${i},${j}`);
        }
    }
  });

  it('shows a legend on every time series panel', () => {
    for (const panel of panels.filter((p) => p.type === 'timeseries')) {
      expect(panel.options?.legend?.showLegend, panel.title).toBe(true);
    }
  });
});

describe('dashboardQueries', () => {
  it('finds the queries of panels inside collapsed rows too', () => {
    const model = {
      panels: [
        { title: 'a', targets: [{ refId: 'A', expr: 'up' }] },
        {
          type: 'row',
          title: 'r',
          panels: [
            { title: 'b', targets: [{ refId: 'B', expr: 'x', instant: true }, { refId: 'C' }] },
          ],
        },
      ],
    };
    expect(dashboardQueries(model)).toEqual([
      { panel: 'a', refId: 'A', expr: 'up', instant: false },
      { panel: 'b', refId: 'B', expr: 'x', instant: true },
    ]);
  });
});

describe('expandVariables', () => {
  it('fills in $name, ${name} and [[name]]', () => {
    expect(
      expandVariables('rate(x{pod=~"$pod"}[$__rate_interval]) + y{p="${pod}"} + z{p="[[pod]]"}', {
        pod: 'visits-0',
        __rate_interval: '1m',
      }),
    ).toBe('rate(x{pod=~"visits-0"}[1m]) + y{p="visits-0"} + z{p="visits-0"}');
  });

  it('names a variable it has no value for', () => {
    expect(() => expandVariables('x[$__range]', { pod: '.+' })).toThrow(
      /uses the variable \$__range, which has no value here; known: pod/,
    );
  });
});
