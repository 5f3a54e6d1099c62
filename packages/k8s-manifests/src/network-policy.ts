import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { objectMeta, objectNames, selectorLabels } from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/**
 * Ingress only to the service port (from `networkPolicyIngressFrom`, or anywhere when empty) and
 * the ops port (from `networkPolicyOpsIngressFrom`, or anywhere), and no egress at all: the
 * service opens no outbound connections, not even DNS. Rendered only when `networkPolicy` is on.
 */
export function visitsNetworkPolicy(p: ResolvedVisitsProps): NetworkPolicy | undefined {
  if (!p.networkPolicy) return undefined;
  const rule = (from: ResolvedVisitsProps['networkPolicyIngressFrom'], port: number) => ({
    ...(from.length === 0 ? {} : { from: [...from] }),
    ports: [{ protocol: 'TCP' as const, port }],
  });
  return new NetworkPolicy({
    metadata: objectMeta(p, objectNames(p).networkPolicy),
    spec: {
      podSelector: { matchLabels: selectorLabels(p) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        rule(p.networkPolicyIngressFrom, p.port),
        rule(p.networkPolicyOpsIngressFrom, p.opsPort),
      ],
      egress: [],
    },
  });
}
