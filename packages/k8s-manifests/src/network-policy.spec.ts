import { describe, expect, it } from 'vitest';
import { matches, podTemplate, render } from '../test/support.js';

describe('visitsNetworkPolicy', () => {
  it('is not rendered by default', () => {
    expect(render()).not.toHaveProperty('networkPolicy');
  });

  it('allows ingress to the service and ops ports only, from anywhere by default, and no egress', () => {
    const policy = render({ networkPolicy: true }).networkPolicy;
    expect(matches(policy?.spec?.podSelector?.matchLabels, podTemplate().metadata?.labels)).toBe(
      true,
    );
    expect(policy?.spec?.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy?.spec?.ingress).toEqual([
      { ports: [{ protocol: 'TCP', port: 3000 }] },
      { ports: [{ protocol: 'TCP', port: 8081 }] },
    ]);
    expect(policy?.spec?.egress).toEqual([]);
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
  });
});
