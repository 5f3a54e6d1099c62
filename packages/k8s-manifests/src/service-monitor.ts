import { METRICS_PATH } from '@stateful-visits/visits-contract';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import {
  OPS_PORT_NAME,
  objectMeta,
  objectNames,
  selectorLabels,
  SERVICE_ROLE_LABEL,
} from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/** Label Kubernetes ≥ 1.28 puts on every StatefulSet pod: its ordinal. */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

/** The headless Service's label whose value becomes the scrape job (`jobLabel`): `job="<name>"`. */
export const JOB_LABEL = 'app.kubernetes.io/instance';

/**
 * Scrapes `/metrics` on the ops port of every pod through the headless Service's endpoints, and
 * labels each series with `pod`, `statefulset` and `ordinal`, so per-pod counts line up with
 * `visits-N`. The job is the StatefulSet's name (`jobLabel`, not the operator's default, the
 * Service's name `<name>-headless`), which the rules and the dashboard select: `job="visits"`.
 * Rendered only when `serviceMonitor` is on.
 */
export function visitsServiceMonitor(p: ResolvedVisitsProps): ServiceMonitor | undefined {
  if (!p.serviceMonitor) return undefined;
  return new ServiceMonitor({
    metadata: objectMeta(p, objectNames(p).serviceMonitor, p.serviceMonitorLabels),
    spec: {
      jobLabel: JOB_LABEL,
      selector: { matchLabels: { ...selectorLabels(p), [SERVICE_ROLE_LABEL]: 'headless' } },
      endpoints: [
        {
          port: OPS_PORT_NAME,
          path: METRICS_PATH,
          interval: p.serviceMonitorInterval,
          relabelings: [
            {
              action: 'replace',
              sourceLabels: ['__meta_kubernetes_pod_name'],
              targetLabel: 'pod',
            },
            {
              action: 'replace',
              sourceLabels: ['__meta_kubernetes_pod_controller_name'],
              targetLabel: 'statefulset',
            },
            {
              action: 'replace',
              sourceLabels: [
                `__meta_kubernetes_pod_label_${POD_INDEX_LABEL.replace(/[^a-zA-Z0-9_]/g, '_')}`,
              ],
              targetLabel: 'ordinal',
            },
          ],
        },
      ],
    },
  });
}
