import { describe, expect, it } from 'vitest';
import { visitsPrometheusRule } from './prometheus-rule.js';
import { visitsRuleGroups } from './rules.js';

describe('visitsPrometheusRule', () => {
  it('passes the CRD schema', () => {
    expect(() => visitsPrometheusRule().validate()).not.toThrow();
  });

  it('holds the same groups as the plain rules file', () => {
    expect(visitsPrometheusRule().spec.groups).toEqual(visitsRuleGroups());
    const props = { jobSelector: 'job="visits-headless"', maxRestartsIn30m: 4 };
    expect(visitsPrometheusRule(props).spec.groups).toEqual(visitsRuleGroups(props));
  });

  it('is named and labelled like the other objects, plus the labels a ruleSelector needs', () => {
    const rule = visitsPrometheusRule({
      namespace: 'visits',
      labels: { release: 'kube-prometheus-stack' },
    });
    expect(rule.metadata).toEqual({
      name: 'visits',
      namespace: 'visits',
      labels: {
        'app.kubernetes.io/name': 'visits',
        'app.kubernetes.io/instance': 'visits',
        'app.kubernetes.io/component': 'monitoring',
        'app.kubernetes.io/part-of': 'stateful-visits',
        release: 'kube-prometheus-stack',
      },
    });
    expect(visitsPrometheusRule().metadata).not.toHaveProperty('namespace');
  });
});
