import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveMonitoringProps } from './monitoring-props.js';
import {
  alertExpr,
  alertRules,
  conditionOperands,
  headingAnchor,
  RECORDED,
  recordingRules,
  visitsRuleGroups,
  type RenderedRule,
} from './rules.js';

const deploymentDoc = readFileSync(
  fileURLToPath(new URL('../../../../docs/deployment.md', import.meta.url)),
  'utf8',
);
const docAnchors = new Set(
  [...deploymentDoc.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingAnchor(m[1]!)),
);

function rules(props = {}): RenderedRule[] {
  return visitsRuleGroups(props).flatMap((g) => g.rules);
}
function alerts(props = {}): RenderedRule[] {
  return rules(props).filter((r) => r.alert !== undefined);
}

/** Every `metric{matchers}` selector in a PromQL expression, as its matchers. */
function selectors(expr: string): string[] {
  return [...expr.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*\{([^}]*)\}/g)].map((m) => m[1]!);
}

describe('visitsRuleGroups', () => {
  it('has the recording rules first, then the alerts the issue asks for', () => {
    expect(visitsRuleGroups().map((g) => g.name)).toEqual(['visits.recording', 'visits.alerts']);
    expect(alerts().map((a) => a.alert)).toEqual([
      'VisitsPodDown',
      'VisitsStoreDegraded',
      'VisitsStoreFailed',
      'VisitsStoreVolumeFull',
      'VisitsStoreVolumeFillingUp',
      'VisitsSyncLatencyHigh',
      'VisitsRequestsFailing',
      'VisitsCountWentBackwards',
      'VisitsPodRestarting',
      'VisitsStoreWriteFailures',
    ]);
  });

  it.each(alerts().map((a) => [a.alert, a] as const))(
    '%s has a severity, a summary, a description and a runbook section in docs/deployment.md',
    (name, alert) => {
      expect(['critical', 'warning']).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary).toMatch(/\{\{ \$labels\.pod \}\}/);
      expect(alert.annotations?.description?.length).toBeGreaterThan(80);
      const url = alert.annotations?.runbook_url ?? '';
      expect(url).toBe(`docs/deployment.md#${name?.toLowerCase()}`);
      expect(docAnchors, `docs/deployment.md has no heading "${name}"`).toContain(
        url.split('#')[1],
      );
    },
  );

  it('renders each alert as its condition, so the operands the tests evaluate are the ones alerting', () => {
    const byName = new Map(alerts().map((a) => [a.alert, a.expr]));
    for (const a of alertRules(resolveMonitoringProps())) {
      expect(byName.get(a.alert)).toBe(alertExpr(a.condition));
      for (const operand of conditionOperands(a.condition)) {
        expect(operand).not.toMatch(/^\s*$/);
        expect(alertExpr(a.condition)).toContain(operand);
      }
    }
  });

  it('selects only the configured job, in every selector of every rule', () => {
    const jobSelector = 'job="visits-headless", namespace="prod"';
    for (const rule of rules({ jobSelector })) {
      const found = selectors(rule.expr);
      expect(found.length, rule.expr).toBeGreaterThan(0);
      for (const matchers of found) expect(matchers.startsWith(jobSelector), rule.expr).toBe(true);
    }
  });

  it('groups per pod by the selector labels, the namespace and the pod label', () => {
    const p = resolveMonitoringProps({
      jobSelector: 'service="visits"',
      podLabel: 'kubernetes_pod_name',
    });
    const restarts = recordingRules(p).find((r) => r.record === RECORDED.restarts);
    expect(restarts?.expr).toContain('by (service, namespace, kubernetes_pod_name)');
    const backwards = alertRules(p).find((a) => a.alert === 'VisitsCountWentBackwards');
    expect(backwards?.condition.left).toContain('by (service, namespace, kubernetes_pod_name)');
    expect(backwards?.summary).toContain('{{ $labels.kubernetes_pod_name }}');
  });

  it('takes its thresholds from the props', () => {
    const byName = new Map(
      alerts({
        syncLatencyP99Seconds: 0.5,
        failingRequestsRatio: 0.05,
        maxRestartsIn30m: 5,
        volumeForecast: '2d',
      }).map((a) => [a.alert, a.expr]),
    );
    expect(byName.get('VisitsSyncLatencyHigh')).toMatch(/> 0\.5$/);
    expect(byName.get('VisitsRequestsFailing')).toMatch(/> 0\.05$/);
    expect(byName.get('VisitsPodRestarting')).toMatch(/> 5$/);
    expect(byName.get('VisitsStoreVolumeFillingUp')).toContain('[6h], 172800)');
  });

  it('names recorded series level:metric:operations', () => {
    for (const r of rules().filter((r) => r.record !== undefined)) {
      expect(r.record).toMatch(/^[a-z_]+:[a-z_]+:[a-z0-9_]+$/);
    }
  });

  it('links to where the docs are published', () => {
    const [first] = alerts({ runbookUrl: 'https://docs.example.com/visits/deployment' });
    expect(first?.annotations?.runbook_url).toBe(
      'https://docs.example.com/visits/deployment#visitspoddown',
    );
  });
});

describe('headingAnchor', () => {
  it.each([
    ['VisitsPodDown', 'visitspoddown'],
    ['Alerts and what to do', 'alerts-and-what-to-do'],
    ['Why `Parallel` pod management', 'why-parallel-pod-management'],
  ])('%s → #%s', (heading, anchor) => {
    expect(headingAnchor(heading)).toBe(anchor);
  });
});
