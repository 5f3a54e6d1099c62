import { describe, expect, it } from 'vitest';
import { matches, podTemplate, render } from '../test/support.js';

describe('visitsNetworkPolicy', () => {
  it('is not rendered by default', () => {
    expect(render()).not.toHaveProperty('networkPolicy');
  });

  it('allows ingress to the service and ops ports, and egress only for the fleet view', () => {
    const policy = render({ networkPolicy: true }).networkPolicy;
    const pods = podTemplate().metadata?.labels;
    expect(matches(policy?.spec?.podSelector?.matchLabels, pods)).toBe(true);
    expect(policy?.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    const http = [{ protocol: 'TCP', port: 3000 }];
    const ownPods = [{ podSelector: { matchLabels: policy?.spec?.podSelector?.matchLabels } }];
    expect(policy?.spec?.ingress).toEqual([
      { ports: http },
      { ports: [{ protocol: 'TCP', port: 8081 }] },
      { from: ownPods, ports: http },
    ]);
    expect(policy?.spec?.egress).toEqual([
      {
        to: [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
            podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
          },
        ],
        ports: [
          { protocol: 'UDP', port: 53 },
          { protocol: 'TCP', port: 53 },
        ],
      },
      { to: ownPods, ports: http },
    ]);
    // The peers it may reach are exactly the StatefulSet's pods.
    expect(matches(policy?.spec?.egress?.[1]?.to?.[0]?.podSelector?.matchLabels, pods)).toBe(true);
  });

  it('follows the port, and allows no egress at all without the fleet view', () => {
    const policy = render({ networkPolicy: true, port: 8080 }).networkPolicy;
    expect(policy?.spec?.egress?.[1]?.ports).toEqual([{ protocol: 'TCP', port: 8080 }]);
    const off = render({ networkPolicy: true, fleet: false }).networkPolicy;
    expect(off?.spec?.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 3000 }] },
      { ports: [{ protocol: 'TCP', port: 8081 }] },
    ]);
    expect(off?.spec?.egress).toEqual([]);
  });

  it('restricts the sources to networkPolicyIngressFrom', () => {
    const from = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'web' } } }];
    const policy = render({ networkPolicy: true, networkPolicyIngressFrom: from }).networkPolicy;
    expect(policy?.spec?.ingress?.[0]?.from).toEqual(from);
    expect(policy?.spec?.ingress?.[1]).not.toHaveProperty('from');
  });

  it('restricts who may scrape and probe the ops port to networkPolicyOpsIngressFrom', () => {
    const prometheus = [
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
    ];
    const policy = render({
      networkPolicy: true,
      opsPort: 9100,
      networkPolicyOpsIngressFrom: prometheus,
    }).networkPolicy;
    expect(policy?.spec?.ingress?.[1]).toEqual({
      from: prometheus,
      ports: [{ protocol: 'TCP', port: 9100 }],
    });
    expect(policy?.spec?.ingress?.[0]).not.toHaveProperty('from');
    // The pods still reach each other for the fleet view.
    expect(policy?.spec?.ingress?.[2]?.from?.[0]).toHaveProperty('podSelector');
  });
});
