import { describe, expect, it } from 'vitest';
import { render } from '../test/support.js';
import { manifestList } from './visits.js';

describe('visitsNamespace', () => {
  it('is not rendered, and no object is namespaced, by default', () => {
    const m = render();
    expect(m).not.toHaveProperty('namespace');
    for (const o of manifestList(m)) expect(o.metadata).not.toHaveProperty('namespace');
  });

  it('enforces the restricted Pod Security Standard on the namespace it creates', () => {
    const { namespace } = render({ namespace: 'visits' });
    expect(namespace?.metadata?.name).toBe('visits');
    expect(namespace?.metadata?.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  it('puts every other object into it', () => {
    const objects = manifestList(
      render({ namespace: 'team-a', serviceMonitor: true, networkPolicy: true }),
    ).filter((o) => o.kind !== 'Namespace');
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(o.metadata?.namespace).toBe('team-a');
  });
});
