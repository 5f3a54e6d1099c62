import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { commonLabels } from '../naming.js';
import type { MonitoringProps } from './monitoring-props.js';
import { visitsRuleGroups } from './rules.js';

export interface PrometheusRuleProps extends MonitoringProps {
  /** @default 'visits' */
  readonly name?: string;
  /** @default undefined — kubectl's current namespace or a kustomize `namespace:` decides */
  readonly namespace?: string;
  /**
   * Extra labels, e.g. the one your Prometheus' `ruleSelector` matches (kube-prometheus-stack:
   * `release: <its release>`). @default {}
   */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The alerting and recording rules as a prometheus-operator PrometheusRule, for a Prometheus
 * that the operator runs; the same groups as the plain rules file.
 */
export function visitsPrometheusRule(props: PrometheusRuleProps = {}): PrometheusRule {
  const { name = 'visits', namespace, labels = {}, ...monitoring } = props;
  return new PrometheusRule({
    metadata: {
      name,
      ...(namespace === undefined ? {} : { namespace }),
      labels: { ...commonLabels({ name }), 'app.kubernetes.io/component': 'monitoring', ...labels },
    },
    spec: {
      groups: visitsRuleGroups(monitoring).map((g) => ({
        name: g.name,
        rules: g.rules.map((r) => ({ ...r })),
      })),
    },
  });
}
