import type { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import type { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { Namespace } from 'kubernetes-models/v1/Namespace';
import type { Service } from 'kubernetes-models/v1/Service';
import type { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { visitsConfigMap } from './config-map.js';
import { visitsPrometheusRule } from './monitoring/prometheus-rule.js';
import { objectNames } from './naming.js';
import { visitsNamespace } from './namespace.js';
import { visitsNetworkPolicy } from './network-policy.js';
import { visitsPodDisruptionBudget } from './pod-disruption-budget.js';
import type { ResolvedVisitsProps, VisitsProps } from './props.js';
import { resolveVisitsProps } from './resolve-props.js';
import { visitsServiceAccount } from './service-account.js';
import { visitsServiceMonitor } from './service-monitor.js';
import { visitsClientService, visitsHeadlessService } from './service.js';
import { visitsStatefulSet } from './stateful-set.js';

/** A rendered Kubernetes object: a kubernetes-models instance. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
  toJSON(): unknown;
  /** Checks the object against the OpenAPI schema it was generated from; throws when invalid. */
  validate(): void;
}

/** Every object of the deployment, by role. Optional ones are absent when not enabled. */
export interface VisitsManifests {
  readonly namespace?: Namespace;
  readonly serviceAccount: ServiceAccount;
  readonly configMap: ConfigMap;
  readonly headlessService: Service;
  readonly clientService: Service;
  readonly statefulSet: StatefulSet;
  readonly podDisruptionBudget: PodDisruptionBudget;
  readonly networkPolicy?: NetworkPolicy;
  readonly serviceMonitor?: ServiceMonitor;
  readonly prometheusRule?: PrometheusRule;
}

/**
 * The alerting and recording rules for the job the ServiceMonitor scrapes (`job="<name>"`, its
 * `jobLabel`). Rendered only when `prometheusRule` is on.
 */
function prometheusRule(p: ResolvedVisitsProps): PrometheusRule | undefined {
  if (!p.prometheusRule) return undefined;
  return visitsPrometheusRule({
    name: objectNames(p).prometheusRule,
    ...(p.namespace === undefined ? {} : { namespace: p.namespace }),
    labels: p.prometheusRuleLabels,
    jobSelector: `job="${p.name}"`,
  });
}

/**
 * Builds every object of the visits deployment from one set of props.
 * @throws {VisitsPropsError} when a prop is invalid
 */
export function visitsManifests(props: VisitsProps = {}): VisitsManifests {
  const p = resolveVisitsProps(props);
  const namespace = visitsNamespace(p);
  const networkPolicy = visitsNetworkPolicy(p);
  const serviceMonitor = visitsServiceMonitor(p);
  const rules = prometheusRule(p);
  // Keys in apply order: the namespace first, what the pods reference before the pods.
  return {
    ...(namespace && { namespace }),
    serviceAccount: visitsServiceAccount(p),
    configMap: visitsConfigMap(p),
    headlessService: visitsHeadlessService(p),
    clientService: visitsClientService(p),
    statefulSet: visitsStatefulSet(p),
    podDisruptionBudget: visitsPodDisruptionBudget(p),
    ...(networkPolicy && { networkPolicy }),
    ...(serviceMonitor && { serviceMonitor }),
    ...(rules && { prometheusRule: rules }),
  };
}

/** The objects of {@link visitsManifests} as a list, in apply order. */
export function manifestList(manifests: VisitsManifests): ManifestObject[] {
  return Object.values(manifests).filter((o): o is ManifestObject => o !== undefined);
}
