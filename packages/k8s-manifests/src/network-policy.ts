import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IIoK8sApiNetworkingV1NetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { objectMeta, objectNames, selectorLabels } from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/** The cluster DNS as most clusters run it: kube-dns or CoreDNS pods labelled `k8s-app: kube-dns`. */
const CLUSTER_DNS_PEER: IIoK8sApiNetworkingV1NetworkPolicyPeer = {
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
};

/**
 * Ingress only to the service port (from `networkPolicyIngressFrom`, or anywhere when empty) and
 * the ops port (from `networkPolicyOpsIngressFrom`, or anywhere). Egress only for the fleet view:
 * DNS (UDP and TCP 53) to the cluster DNS pods, and the StatefulSet's own pods on the service port,
 * which in turn admit each other there. Without the fleet view, no egress at all: the service then
 * opens no outbound connection, not even DNS. Rendered only when `networkPolicy` is on.
 */
export function visitsNetworkPolicy(p: ResolvedVisitsProps): NetworkPolicy | undefined {
  if (!p.networkPolicy) return undefined;
  const rule = (from: ResolvedVisitsProps['networkPolicyIngressFrom'], port: number) => ({
    ...(from.length === 0 ? {} : { from: [...from] }),
    ports: [{ protocol: 'TCP' as const, port }],
  });
  const http = [{ protocol: 'TCP' as const, port: p.port }];
  const pods = [{ podSelector: { matchLabels: selectorLabels(p) } }];
  return new NetworkPolicy({
    metadata: objectMeta(p, objectNames(p).networkPolicy),
    spec: {
      podSelector: { matchLabels: selectorLabels(p) },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [
        rule(p.networkPolicyIngressFrom, p.port),
        rule(p.networkPolicyOpsIngressFrom, p.opsPort),
        // Stated even when any source is admitted: the fleet needs it whatever the sources become.
        ...(p.fleet ? [{ from: pods, ports: http }] : []),
      ],
      egress: p.fleet
        ? [
            {
              to: [CLUSTER_DNS_PEER],
              ports: [
                { protocol: 'UDP', port: 53 },
                { protocol: 'TCP', port: 53 },
              ],
            },
            { to: pods, ports: http },
          ]
        : [],
    },
  });
}
