// Every panel query of the committed Grafana dashboard and every expression of the committed rules
// file, evaluated by a real Prometheus that scrapes three real service processes under a little
// load. A query that errors, returns no series or only NaN fails, naming the metrics it reads that
// no target exports.
//
// Alert conditions are comparisons and are meant to return nothing while all is well (`up == 0`),
// so for an alert the suite evaluates the operands of its condition (`up`), taken from the typed
// definition in @stateful-visits/k8s-manifests after checking that definition renders exactly the
// `expr` in the rules file; the whole condition must still evaluate without an error.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertExpr,
  alertRules,
  conditionOperands,
  dashboardQueries,
  dashboardVariables,
  expandVariables,
  MONITORING_FILES,
  POD_VARIABLE,
  resolveMonitoringProps,
  type RenderedRuleGroup,
} from '@stateful-visits/k8s-manifests';
import { driveLoad } from './support/load.js';
import {
  prometheusMissing,
  PrometheusServer,
  type QueryAnswer,
} from './support/prometheus-server.js';
import { startVisitsProcesses, type VisitsProcess } from './support/visits-processes.js';
import { waitFor } from './support/wait.js';

const monitoringDir = new URL('../../../k8s/monitoring/', import.meta.url);
const rulesPath = fileURLToPath(new URL(MONITORING_FILES.rules, monitoringDir));
const dashboard = JSON.parse(
  readFileSync(new URL(MONITORING_FILES.dashboard, monitoringDir), 'utf8'),
) as unknown;
const ruleGroups = (parse(readFileSync(rulesPath, 'utf8')) as { groups: RenderedRuleGroup[] })
  .groups;

// The committed files are rendered with the default props: the job is `visits`, pods carry `pod`.
const props = resolveMonitoringProps();
const JOB = 'visits';
const PODS = ['visits-0', 'visits-1', 'visits-2'];
/** What Grafana puts for `$__rate_interval` with a 1 s scrape interval on a short time range. */
const RATE_INTERVAL = '10s';
/** How much history the suite waits for before it evaluates anything. */
const HISTORY_SECONDS = 15;

interface Probe {
  /** What it is, as the test name shows it. */
  readonly name: string;
  readonly expr: string;
  /** Evaluated over the last HISTORY_SECONDS (a time series panel) or at one instant. */
  readonly range: boolean;
}

const panelProbes: Probe[] = dashboardQueries(dashboard).map((q) => ({
  name: `panel "${q.panel}" query ${q.refId}`,
  expr: q.expr,
  range: !q.instant,
}));

const definitions = new Map(alertRules(props).map((a) => [a.alert, a]));
const rules = ruleGroups.flatMap((g) => g.rules);
const ruleProbes: Probe[] = rules.flatMap((rule): Probe[] => {
  if (rule.record !== undefined) {
    return [{ name: `recording rule ${rule.record}`, expr: rule.expr, range: false }];
  }
  const condition = definitions.get(rule.alert ?? '')?.condition;
  // A rules file that disagrees with the package fails in the test below; evaluate its expr as is.
  if (!condition || alertExpr(condition) !== rule.expr) {
    return [{ name: `alert ${rule.alert} (as in the rules file)`, expr: rule.expr, range: false }];
  }
  const operands = conditionOperands(condition);
  return operands.map((expr, i) => ({
    name: `alert ${rule.alert} condition ${operands.length > 1 ? (i === 0 ? 'left side' : 'right side') : 'operand'}`,
    expr,
    range: false,
  }));
});

/** `(a|b|c)`, as Grafana writes a multi-value variable into a regex matcher. */
function regexOf(values: readonly string[]): string {
  return `(${values.map((v) => v.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')).join('|')})`;
}

/** Metric names a PromQL expression selects (every name written before a `{`). */
function metricNames(expr: string): string[] {
  return [...new Set([...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((m) => m[1]!))];
}

const missing = prometheusMissing();
if (missing) console.warn(`\n[monitoring] SKIPPING the monitoring suite: ${missing}\n`);

describe.skipIf(missing !== undefined)(
  `the dashboard and the rules on a real Prometheus scraping three service processes${missing ? ` [skipped: ${missing}]` : ''}`,
  () => {
    let processes: VisitsProcess[] = [];
    let prometheus: PrometheusServer | undefined;
    let load: ReturnType<typeof driveLoad> | undefined;
    let podValues: string[] = [];
    let exported = new Set<string>();
    const outcomes: { name: string; outcome: string }[] = [];

    beforeAll(async () => {
      processes = await startVisitsProcesses(PODS);
      prometheus = await PrometheusServer.start({
        job: JOB,
        ruleFiles: [rulesPath],
        targets: processes.map((p) => ({ address: p.metricsTarget, labels: { pod: p.name } })),
      });
      load = driveLoad(processes.map((p) => p.serviceUrl));
      const server = prometheus;
      await waitFor(
        `${HISTORY_SECONDS} s of scrapes of every target`,
        async () => {
          const answer = await server.query(
            `min(count_over_time(up{job="${JOB}"}[1m])) and count(up{job="${JOB}"} == 1) == ${PODS.length}`,
          );
          return answer.ok && (answer.series[0]?.values[0] ?? 0) >= HISTORY_SECONDS
            ? true
            : undefined;
        },
        60_000,
        500,
      );
      // Every rule group has evaluated since, so recorded series have had the same history.
      const since = Date.now();
      await waitFor(
        'every rule group to be evaluated',
        async () => {
          const groups = await server.ruleGroupEvaluations();
          const done = ruleGroups.every(
            (g) => Date.parse(groups.get(g.name)?.lastEvaluation ?? '') > since + 2_000,
          );
          return done ? true : undefined;
        },
        30_000,
        500,
      );
      podValues = (await server.labelValues(props.podLabel, `up{${props.jobSelector}}`)).sort();
      exported = new Set(await server.labelValues('__name__', `{${props.jobSelector}}`));
    });

    afterAll(async () => {
      await load?.stop();
      await prometheus?.stop();
      await Promise.all(processes.map((p) => p.stop()));
      if (outcomes.length > 0) {
        const width = Math.max(...outcomes.map((o) => o.name.length));
        console.log(
          `monitoring: what each query returned\n${outcomes.map((o) => `  ${o.name.padEnd(width)}  ${o.outcome}`).join('\n')}`,
        );
      }
    });

    function serverOf(): PrometheusServer {
      if (!prometheus) throw new Error('Prometheus did not start');
      return prometheus;
    }

    /** Evaluates a probe; records and returns why it has no data, or undefined when it has. */
    async function evaluate(probe: Probe): Promise<string | undefined> {
      const expr = expandVariables(probe.expr, {
        [POD_VARIABLE]: regexOf(podValues),
        __rate_interval: RATE_INTERVAL,
      });
      const answer: QueryAnswer = probe.range
        ? await serverOf().queryRange(expr, HISTORY_SECONDS)
        : await serverOf().query(expr);
      let problem: string | undefined;
      if (!answer.ok) problem = `failed: ${answer.error}`;
      else if (answer.series.length === 0) problem = 'returned no series';
      else if (answer.series.every((s) => s.values.every((v) => Number.isNaN(v))))
        problem = 'returned only NaN';
      if (problem) {
        const missing = metricNames(expr).filter((m) => !exported.has(m));
        if (missing.length > 0) problem += `; no target exports ${missing.join(', ')}`;
      }
      const series = answer.ok ? answer.series.length : 0;
      outcomes.push({
        name: probe.name,
        outcome: problem ? `NO DATA: ${problem}` : `ok (${series} series)`,
      });
      return problem === undefined ? undefined : `${probe.name} ${problem}\n  query: ${expr}`;
    }

    it('scrapes every process while each answers the load', async () => {
      const up = await serverOf().query(`up{job="${JOB}"}`);
      expect(up.ok && up.series.map((s) => [s.metric.pod, s.values[0]]).sort()).toEqual(
        PODS.map((pod) => [pod, 1]),
      );
      expect(load?.statuses.get(201) ?? 0).toBeGreaterThan(0);
    });

    it('lists the three pods in the dashboard pod variable', () => {
      const query = dashboardVariables(dashboard).get(POD_VARIABLE) ?? '';
      // label_values(<selector>, <label>): what beforeAll asked Prometheus for.
      expect(query).toBe(`label_values(up{${props.jobSelector}}, ${props.podLabel})`);
      expect(podValues).toEqual(PODS);
    });

    it('evaluates the rules file the package renders, alert for alert', () => {
      expect(rules.filter((r) => r.alert !== undefined).map((r) => [r.alert, r.expr])).toEqual(
        [...definitions.values()].map((a) => [a.alert, alertExpr(a.condition)]),
      );
    });

    it.each(panelProbes)('$name returns data', async (probe) => {
      expect(await evaluate(probe)).toBeUndefined();
    });

    it.each(ruleProbes)('$name returns data', async (probe) => {
      expect(await evaluate(probe)).toBeUndefined();
    });

    it.each(
      rules.filter((r) => r.alert !== undefined).map((r) => ({ name: r.alert, expr: r.expr })),
    )('alert $name condition evaluates without an error', async ({ expr }) => {
      const answer = await serverOf().query(expr);
      expect(answer.ok ? undefined : answer.error).toBeUndefined();
    });
  },
);
