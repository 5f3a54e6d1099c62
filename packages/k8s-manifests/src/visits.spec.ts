import { describe, expect, it } from 'vitest';
import { restrictedProfileViolations } from './testing/pod-security.js';
import type { VisitsProps } from './props.js';
import { renderYaml } from './render.js';
import { manifestList, visitsManifests } from './visits.js';

const everything: VisitsProps = {
  namespace: 'visits',
  serviceMonitor: true,
  prometheusRule: true,
  networkPolicy: true,
  clientServiceType: 'LoadBalancer',
  accessMode: 'ReadWriteOncePod',
  storageClassName: 'fast-ssd',
  updateStrategy: { type: 'OnDelete' },
};

describe('visitsManifests', () => {
  it('builds the core objects by default and the optional ones on request', () => {
    expect(manifestList(visitsManifests()).map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'ServiceAccount/visits',
      'ConfigMap/visits-config',
      'Service/visits-headless',
      'Service/visits',
      'StatefulSet/visits',
      'PodDisruptionBudget/visits',
    ]);
    expect(manifestList(visitsManifests(everything)).map((o) => o.kind)).toEqual([
      'Namespace',
      'ServiceAccount',
      'ConfigMap',
      'Service',
      'Service',
      'StatefulSet',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'ServiceMonitor',
      'PrometheusRule',
    ]);
  });

  it("renders the PrometheusRule for the ServiceMonitor's job, with the labels given", () => {
    const m = visitsManifests({
      name: 'visits-green',
      namespace: 'prod',
      serviceMonitor: true,
      prometheusRule: true,
      prometheusRuleLabels: { release: 'kube-prometheus-stack' },
    });
    const rule = m.prometheusRule;
    expect(rule?.metadata).toMatchObject({
      name: 'visits-green',
      namespace: 'prod',
      labels: { release: 'kube-prometheus-stack', 'app.kubernetes.io/instance': 'visits-green' },
    });
    const exprs =
      rule?.spec.groups?.flatMap((g) => (g.rules ?? []).map((r) => String(r.expr))) ?? [];
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) expect(expr).toContain('{job="visits-green"');
    expect(exprs.join('\n')).not.toContain('job="visits"');
    expect(visitsManifests({ prometheusRule: false })).not.toHaveProperty('prometheusRule');
  });

  it('derives every name from `name`', () => {
    const names = manifestList(visitsManifests({ name: 'counter' })).map((o) => o.metadata?.name);
    expect(names).toEqual([
      'counter',
      'counter-config',
      'counter-headless',
      'counter',
      'counter',
      'counter',
    ]);
    expect(visitsManifests({ name: 'counter' }).statefulSet.spec?.serviceName).toBe(
      'counter-headless',
    );
  });

  // kubernetes-models pins the Kubernetes OpenAPI schema (v1.36) and the prometheus-operator
  // CRD schema; validate() checks types, required fields and enums against them.
  it.each([
    ['the defaults', {}],
    ['every optional object', everything],
    ['a canary rollout', { updateStrategy: { type: 'RollingUpdate', partition: 2 } }],
    ['no preStop hook', { preStopSleepSeconds: 0, prometheusScrapeAnnotations: false }],
  ] satisfies [string, VisitsProps][])(
    'renders objects that pass the Kubernetes OpenAPI schema for %s',
    (_name, props) => {
      for (const o of manifestList(visitsManifests(props))) {
        expect(() => o.validate(), `${o.kind}/${o.metadata?.name}`).not.toThrow();
      }
    },
  );

  it('would catch an object the schema rejects', () => {
    const { statefulSet } = visitsManifests();
    const broken = new (statefulSet.constructor as new (d: unknown) => typeof statefulSet)({
      ...(statefulSet.toJSON() as object),
      spec: { ...statefulSet.spec, podManagementPolicy: 'Sometimes' },
    });
    expect(() => broken.validate()).toThrow(
      /podManagementPolicy must be equal to one of the allowed values/,
    );
  });

  it('renders pods that pass the restricted Pod Security Standard', () => {
    for (const props of [{}, everything]) {
      const template = visitsManifests(props).statefulSet.spec?.template;
      expect(template && restrictedProfileViolations(template)).toEqual([]);
    }
  });

  it('renders the same YAML as before (snapshot)', () => {
    expect(renderYaml(manifestList(visitsManifests()))).toMatchSnapshot('defaults');
    expect(renderYaml(manifestList(visitsManifests(everything)))).toMatchSnapshot('everything');
  });
});
