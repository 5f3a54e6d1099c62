// Over 350 lines on purpose: one test group per alert (input series and expected alerts), each
// read best beside the others; splitting them by file would scatter one table.
// The rules as Prometheus itself reads and evaluates them: `promtool check rules` on the
// committed file, and `promtool test rules` with input series and the alerts they must (and must
// not) fire. Skipped, with a warning, where promtool is not installed.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promtool, runPromtool } from '../../test/promtool.js';
import { toYamlDocument } from '../render.js';
import { dashboardQueries, expandVariables, visitsDashboard } from './dashboard.js';
import { MONITORING_FILES, renderRulesFile } from './monitoring-files.js';
import { alertRules, RECORDED, visitsRuleGroups } from './rules.js';
import { resolveMonitoringProps } from './monitoring-props.js';

const committedRules = fileURLToPath(
  new URL(`../../../../k8s/monitoring/${MONITORING_FILES.rules}`, import.meta.url),
);

interface Series {
  readonly series: string;
  readonly values: string;
}
interface ExpectedAlert {
  /** The alert's labels besides alertname and severity. */
  readonly labels: Readonly<Record<string, string>>;
  /** The summary as Prometheus renders it for these labels and this value. */
  readonly summary: string;
}
interface AlertCheck {
  readonly at: string;
  readonly firing: readonly ExpectedAlert[];
}
/** One promtool test group: input series, and which alerts of `alert` fire when. */
interface AlertTest {
  readonly alert: string;
  readonly input: readonly Series[];
  readonly checks: readonly AlertCheck[];
}

const pod = (n: number, extra = '') =>
  `job="visits", pod="visits-${n}", instance="10.0.0.${n}:8081"${extra ? `, ${extra}` : ''}`;
const labelsOf = (n: number, extra: Record<string, string> = {}) => ({
  job: 'visits',
  pod: `visits-${n}`,
  instance: `10.0.0.${n}:8081`,
  ...extra,
});

const alertTests: readonly AlertTest[] = [
  {
    alert: 'VisitsPodDown',
    input: [
      { series: `up{${pod(0)}}`, values: '1x20' },
      { series: `up{${pod(1)}}`, values: '1 0x20' },
    ],
    checks: [
      { at: '5m', firing: [] }, // down for 4 minutes: pending
      {
        at: '7m',
        firing: [
          {
            labels: labelsOf(1),
            summary: 'Pod visits-1 (10.0.0.1:8081) has not answered a scrape for 5 minutes',
          },
        ],
      },
    ],
  },
  {
    alert: 'VisitsStoreDegraded',
    input: [
      // visits-0 stays open; visits-1 degrades at 2m and stays so; visits-2 recovers within 2m.
      { series: `visits_store_state{${pod(0, 'state="degraded"')}}`, values: '0x20' },
      { series: `visits_store_state{${pod(1, 'state="degraded"')}}`, values: '0 0 1x20' },
      { series: `visits_store_state{${pod(2, 'state="degraded"')}}`, values: '1 1 0x20' },
    ],
    checks: [
      { at: '6m', firing: [] },
      {
        at: '8m',
        firing: [
          {
            labels: labelsOf(1, { state: 'degraded' }),
            summary: 'The store on visits-1 has refused visits for 5 minutes (degraded)',
          },
        ],
      },
    ],
  },
  {
    alert: 'VisitsStoreFailed',
    input: [
      { series: `visits_store_state{${pod(0, 'state="failed"')}}`, values: '0x10' },
      { series: `visits_store_state{${pod(1, 'state="failed"')}}`, values: '0 0 0 1x5' },
    ],
    checks: [
      { at: '2m', firing: [] },
      {
        at: '3m',
        firing: [
          {
            labels: labelsOf(1, { state: 'failed' }),
            summary: 'The store on visits-1 stopped after a write it cannot retry (failed)',
          },
        ],
      },
    ],
  },
  {
    alert: 'VisitsStoreVolumeFull',
    input: [
      // visits-1's free space falls to 512 MiB at 2m, below the 1 GiB the store needs.
      { series: `visits_store_volume_free_bytes{${pod(0)}}`, values: '10737418240x10' },
      { series: `visits_store_volume_required_bytes{${pod(0)}}`, values: '1073741824x10' },
      { series: `visits_store_volume_free_bytes{${pod(1)}}`, values: '2147483648x2 536870912x8' },
      { series: `visits_store_volume_required_bytes{${pod(1)}}`, values: '1073741824x10' },
    ],
    checks: [
      { at: '2m', firing: [] }, // for 1m: pending
      {
        at: '4m',
        firing: [
          {
            labels: labelsOf(1),
            summary:
              'Only 512MiB free on the volume of visits-1, less than the store needs to keep writing',
          },
        ],
      },
    ],
  },
  {
    alert: 'VisitsStoreVolumeFillingUp',
    input: [
      // visits-1 loses 1 GiB an hour from 20 GiB: within 24h it would be below the 1 GiB needed.
      { series: `visits_store_volume_free_bytes{${pod(0)}}`, values: '21474836480x70' },
      { series: `visits_store_volume_required_bytes{${pod(0)}}`, values: '1073741824x70' },
      {
        series: `visits_store_volume_free_bytes{${pod(1)}}`,
        values: '21474836480-17895697x70',
      },
      { series: `visits_store_volume_required_bytes{${pod(1)}}`, values: '1073741824x70' },
    ],
    checks: [
      { at: '20m', firing: [] }, // for 30m: pending
      {
        at: '1h',
        firing: [
          {
            labels: labelsOf(1),
            summary:
              'The volume of visits-1 will have less free space than the store needs within 24h',
          },
        ],
      },
    ],
  },
  {
    alert: 'VisitsSyncLatencyHigh',
    input: [
      // 60 batches a minute; visits-0 syncs within 50 ms, visits-1 between 50 and 250 ms.
      ...['0.05', '0.25', '+Inf'].map((le) => ({
        series: `visits_store_sync_duration_seconds_bucket{${pod(0, `le="${le}"`)}}`,
        values: '0+60x30',
      })),
      {
        series: `visits_store_sync_duration_seconds_bucket{${pod(1, 'le="0.05"')}}`,
        values: '0x30',
      },
      ...['0.25', '+Inf'].map((le) => ({
        series: `visits_store_sync_duration_seconds_bucket{${pod(1, `le="${le}"`)}}`,
        values: '0+60x30',
      })),
    ],
    checks: [
      { at: '8m', firing: [] }, // for 10m: pending
      {
        at: '15m',
        firing: [
          // p99 within the (0.05, 0.25] bucket: 0.05 + 0.99 × 0.2 = 0.248 s.
          {
            labels: labelsOf(1),
            summary: 'Writes on visits-1 take 248ms to reach the disk (p99)',
          },
        ],
      },
    ],
  },
  {
    alert: 'VisitsRequestsFailing',
    input: [
      // visits-0 answers only 201; visits-1 answers 10 of every 110 requests with 503.
      {
        series: `http_request_duration_seconds_count{${pod(0, 'method="POST", route="/visits", status_code="201"')}}`,
        values: '0+100x20',
      },
      {
        series: `http_request_duration_seconds_count{${pod(1, 'method="POST", route="/visits", status_code="201"')}}`,
        values: '0+100x20',
      },
      {
        series: `http_request_duration_seconds_count{${pod(1, 'method="POST", route="/visits", status_code="503"')}}`,
        values: '0+10x20',
      },
    ],
    checks: [
      { at: '4m', firing: [] }, // for 5m: pending
      {
        at: '10m',
        firing: [
          {
            labels: labelsOf(1),
            summary: '9.091% of requests to visits-1 were answered 503 or 507',
          },
        ],
      },
    ],
  },
  {
    alert: 'VisitsCountWentBackwards',
    input: [
      { series: `visits_stored{${pod(0)}}`, values: '0+10x80' },
      // visits-1 is re-created at 6m (a new instance) on a volume with an older count.
      { series: `visits_stored{${pod(1)}}`, values: '100+10x5 stale' },
      {
        series: `visits_stored{job="visits", pod="visits-1", instance="10.0.0.9:8081"}`,
        values: '_x6 20+1x80',
      },
      // visits-2 is re-created too, keeping its volume: no alert.
      { series: `visits_stored{${pod(2)}}`, values: '50+1x5 stale' },
      {
        series: `visits_stored{job="visits", pod="visits-2", instance="10.0.0.8:8081"}`,
        values: '_x6 56+1x80',
      },
    ],
    checks: [
      { at: '5m', firing: [] },
      {
        at: '7m',
        firing: [
          {
            labels: { job: 'visits', pod: 'visits-1' },
            summary:
              'The count stored on visits-1 fell to 21, below what it was within the last hour',
          },
        ],
      },
      { at: '70m', firing: [] }, // an hour on, the old count has left the window
    ],
  },
  {
    alert: 'VisitsPodRestarting',
    input: [
      // visits-0: one rollout (re-created once, a new instance): not alerting.
      { series: `process_start_time_seconds{${pod(0)}}`, values: '100x5 stale' },
      {
        series: `process_start_time_seconds{job="visits", pod="visits-0", instance="10.0.0.10:8081"}`,
        values: '_x6 460x60',
      },
      // visits-1: the container restarts three times in place (same instance).
      { series: `process_start_time_seconds{${pod(1)}}`, values: '100 100 220 220 340 340 460x60' },
      // visits-2: re-created three times (three new instances).
      { series: `process_start_time_seconds{${pod(2)}}`, values: '100 100 stale' },
      {
        series: `process_start_time_seconds{job="visits", pod="visits-2", instance="10.0.0.20:8081"}`,
        values: '_ _ 220 220 stale',
      },
      {
        series: `process_start_time_seconds{job="visits", pod="visits-2", instance="10.0.0.21:8081"}`,
        values: '_x4 340 340 stale',
      },
      {
        series: `process_start_time_seconds{job="visits", pod="visits-2", instance="10.0.0.22:8081"}`,
        values: '_x6 460x60',
      },
    ],
    checks: [
      { at: '3m', firing: [] },
      {
        at: '8m',
        firing: [
          {
            labels: { job: 'visits', pod: 'visits-1' },
            summary: 'visits-1 restarted 3 times in 30 minutes',
          },
          {
            labels: { job: 'visits', pod: 'visits-2' },
            summary: 'visits-2 restarted 3 times in 30 minutes',
          },
        ],
      },
      { at: '40m', firing: [] }, // the restarts have left the 30-minute window
    ],
  },
  {
    alert: 'VisitsStoreWriteFailures',
    input: [
      ...['commit', 'compaction'].map((operation) => ({
        series: `visits_store_write_failures_total{${pod(0, `operation="${operation}"`)}}`,
        values: '0x30',
      })),
      {
        series: `visits_store_write_failures_total{${pod(1, 'operation="commit"')}}`,
        values: '0 0 1x30',
      },
      {
        series: `visits_store_write_failures_total{${pod(1, 'operation="compaction"')}}`,
        values: '0x30',
      },
    ],
    checks: [
      { at: '1m', firing: [] },
      {
        at: '3m',
        firing: [
          {
            labels: labelsOf(1, { operation: 'commit' }),
            summary: 'Writes to the volume of visits-1 failed (commit)',
          },
        ],
      },
      { at: '20m', firing: [] }, // no new failure for 10 minutes
    ],
  },
];

/** The recorded series the dashboard reads, with input and the value they must have. */
const recordingTests = [
  {
    name: RECORDED.visitRate,
    input: [{ series: `visits_recorded_total{${pod(0)}}`, values: '0+120x10' }],
    at: '5m',
    expected: [{ labels: `${RECORDED.visitRate}{${pod(0)}}`, value: 2 }],
  },
];

function promtoolTestFile(rulesFile: string) {
  const rendered = new Map(
    visitsRuleGroups()
      .flatMap((g) => g.rules)
      .filter((r) => r.alert !== undefined)
      .map((r) => [r.alert!, r]),
  );
  return {
    rule_files: [rulesFile],
    evaluation_interval: '1m',
    tests: [
      ...alertTests.map((t) => ({
        name: t.alert,
        interval: '1m',
        input_series: t.input,
        alert_rule_test: t.checks.map((c) => ({
          eval_time: c.at,
          alertname: t.alert,
          exp_alerts: c.firing.map((a) => {
            const rule = rendered.get(t.alert);
            if (!rule) throw new Error(`no alert named ${t.alert}`);
            return {
              exp_labels: { ...a.labels, ...rule.labels },
              exp_annotations: {
                summary: a.summary,
                description: rule.annotations?.description,
                runbook_url: rule.annotations?.runbook_url,
              },
            };
          }),
        })),
      })),
      ...recordingTests.map((t) => ({
        name: t.name,
        interval: '1m',
        input_series: t.input,
        promql_expr_test: [{ expr: t.name, eval_time: t.at, exp_samples: t.expected }],
      })),
    ],
  };
}

// promtool is a process per test: on a loaded CI machine it takes seconds, not the default 5 s budget.
describe.skipIf(!promtool)('the rules, by promtool', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'visits-rules-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pass `promtool check rules` as committed', () => {
    const { status, output } = runPromtool(['check', 'rules', committedRules]);
    expect(status, output).toBe(0);
    expect(output).toMatch(/SUCCESS: 13 rules found/);
  });

  it('fire exactly as each alert test expects (`promtool test rules`)', () => {
    writeFileSync(join(dir, 'visits.rules.yml'), renderRulesFile());
    writeFileSync(
      join(dir, 'visits.rules.test.yml'),
      toYamlDocument(promtoolTestFile('visits.rules.yml')),
    );
    const { status, output } = runPromtool(['test', 'rules', join(dir, 'visits.rules.test.yml')]);
    expect(status, output).toBe(0);
    expect(output).toMatch(/SUCCESS/);
  });

  it('would catch an alert that fires when it should not', () => {
    // The same tests against rules whose pod-down alert fires for every target: promtool fails.
    const broken = renderRulesFile().replace('up{job="visits"} == 0', 'up{job="visits"} >= 0');
    writeFileSync(join(dir, 'broken.rules.yml'), broken);
    writeFileSync(
      join(dir, 'broken.test.yml'),
      toYamlDocument(promtoolTestFile('broken.rules.yml')),
    );
    const { status, output } = runPromtool(['test', 'rules', join(dir, 'broken.test.yml')]);
    expect(status).not.toBe(0);
    expect(output).toMatch(/alertname: VisitsPodDown/);
  });

  it('accept every dashboard query as PromQL once its variables are filled in', () => {
    const queries = dashboardQueries(visitsDashboard());
    const asRules = {
      groups: [
        {
          name: 'dashboard',
          rules: queries.map((q, i) => ({
            record: `dashboard:query:${i}`,
            expr: expandVariables(q.expr, { pod: '.+', __rate_interval: '1m' }),
          })),
        },
      ],
    };
    writeFileSync(join(dir, 'dashboard.rules.yml'), toYamlDocument(asRules));
    const { status, output } = runPromtool(['check', 'rules', join(dir, 'dashboard.rules.yml')]);
    expect(status, output).toBe(0);
    expect(output).toContain(`SUCCESS: ${queries.length} rules found`);
  });
});

describe('the promtool tests', () => {
  it('cover every alert, each firing at least once and quiet at least once', () => {
    const tested = new Map(alertTests.map((t) => [t.alert, t]));
    for (const { alert } of alertRules(resolveMonitoringProps())) {
      const test = tested.get(alert);
      expect(test, `no promtool test for ${alert}`).toBeDefined();
      expect(
        test?.checks.some((c) => c.firing.length > 0),
        `${alert} never fires`,
      ).toBe(true);
      expect(
        test?.checks.some((c) => c.firing.length === 0),
        `${alert} is never quiet`,
      ).toBe(true);
    }
  });
});
