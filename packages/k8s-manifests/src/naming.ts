// Object names and labels, all derived from the `name` prop: one convention for every object.
import type { ResolvedVisitsProps } from './props.js';

export const CONTAINER_NAME = 'visits';
/** The volume claim template: each pod's claim is `data-<pod>`. */
export const DATA_VOLUME = 'data';
/** The service port (`PORT`): the visit routes. */
export const HTTP_PORT_NAME = 'http';
/** The ops port (`OPS_PORT`): /metrics, /health/*, /version. */
export const OPS_PORT_NAME = 'ops';
/** Label that tells the two Services apart (the ServiceMonitor selects the headless one). */
export const SERVICE_ROLE_LABEL = 'stateful-visits/service';

/** Labels the StatefulSet selects its pods by; they never change for the life of the set. */
export function selectorLabels(p: Pick<ResolvedVisitsProps, 'name'>): Record<string, string> {
  return { 'app.kubernetes.io/name': 'visits', 'app.kubernetes.io/instance': p.name };
}

/** Labels on every object (the PrometheusRule overrides the component). */
export function commonLabels(p: Pick<ResolvedVisitsProps, 'name'>): Record<string, string> {
  return {
    ...selectorLabels(p),
    'app.kubernetes.io/component': 'server',
    'app.kubernetes.io/part-of': 'stateful-visits',
  };
}

/** Object names derived from `name`. */
export function objectNames(p: ResolvedVisitsProps) {
  return {
    statefulSet: p.name,
    headlessService: `${p.name}-headless`,
    clientService: p.name,
    configMap: `${p.name}-config`,
    serviceAccount: p.name,
    podDisruptionBudget: p.name,
    networkPolicy: p.name,
    serviceMonitor: p.name,
    prometheusRule: p.name,
  } as const;
}

/** The Downward API variable holding the pod's namespace, for `FLEET_DNS` to refer to. */
export const POD_NAMESPACE_VARIABLE = 'POD_NAMESPACE';

/**
 * `FLEET_DNS`: the headless Service's fully qualified name, which resolves to every pod's address.
 * The namespace is the pod's own, filled in by Kubernetes (`$(POD_NAMESPACE)`), so it is right
 * in whatever namespace the objects are applied to, a kustomize `namespace:` included.
 */
export function fleetDnsName(p: ResolvedVisitsProps): string {
  return `${objectNames(p).headlessService}.$(${POD_NAMESPACE_VARIABLE}).svc.${p.clusterDomain}`;
}

/** `metadata` for a namespaced object: name, namespace when set, common labels. */
export function objectMeta(
  p: ResolvedVisitsProps,
  name: string,
  extraLabels: Readonly<Record<string, string>> = {},
) {
  return {
    name,
    ...(p.namespace === undefined ? {} : { namespace: p.namespace }),
    labels: { ...commonLabels(p), ...extraLabels },
  };
}
