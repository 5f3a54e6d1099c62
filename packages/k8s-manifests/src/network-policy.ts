import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { objectMeta, objectNames, selectorLabels } from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/**
 * Ingress only to the HTTP port (from `networkPolicyIngressFrom`, or anywhere when empty) and no
 * egress at all: the service opens no outbound connections, not even DNS.
 * Rendered only when `networkPolicy` is on.
 */
export function visitsNetworkPolicy(p: ResolvedVisitsProps): NetworkPolicy | undefined {
  if (!p.networkPolicy) return undefined;
  const from = p.networkPolicyIngressFrom;
  return new NetworkPolicy({
    metadata: objectMeta(p, objectNames(p).networkPolicy),
    spec: {
      podSelector: { matchLabels: selectorLabels(p) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        {
          ...(from.length === 0 ? {} : { from: [...from] }),
          ports: [{ protocol: 'TCP', port: p.port }],
        },
      ],
      egress: [],
    },
  });
}
