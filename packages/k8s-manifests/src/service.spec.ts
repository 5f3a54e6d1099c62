import { describe, expect, it } from 'vitest';
import { matches, podTemplate, render } from '../test/support.js';

describe('visitsHeadlessService', () => {
  it('is headless and publishes pods before they are ready, so per-pod DNS exists during startup', () => {
    const { headlessService } = render();
    expect(headlessService.metadata?.name).toBe('visits-headless');
    expect(headlessService.spec).toMatchObject({
      clusterIP: 'None',
      publishNotReadyAddresses: true,
    });
  });

  it('selects the StatefulSet pods on the service and ops ports', () => {
    const { headlessService } = render();
    expect(matches(headlessService.spec?.selector, podTemplate().metadata?.labels)).toBe(true);
    expect(headlessService.spec?.ports).toEqual([
      { name: 'http', port: 3000, targetPort: 'http', protocol: 'TCP' },
      { name: 'ops', port: 8081, targetPort: 'ops', protocol: 'TCP' },
    ]);
  });
});

describe('visitsClientService', () => {
  it('is a ClusterIP Service on port 80 by default', () => {
    const { clientService } = render();
    expect(clientService.metadata?.name).toBe('visits');
    expect(clientService.spec?.type).toBe('ClusterIP');
    expect(clientService.spec?.ports).toEqual([
      { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
    ]);
    expect(clientService.spec).not.toHaveProperty('clusterIP');
  });

  it('becomes a LoadBalancer on request, still with the service port only', () => {
    const { clientService } = render({ clientServiceType: 'LoadBalancer', opsPort: 9100 });
    expect(clientService.spec?.type).toBe('LoadBalancer');
    // Metrics, probes and the readiness report (which names files) never reach a public address.
    expect(clientService.spec?.ports?.map((p) => p.targetPort)).toEqual(['http']);
  });

  it('selects the StatefulSet pods', () => {
    const { clientService } = render();
    expect(matches(clientService.spec?.selector, podTemplate().metadata?.labels)).toBe(true);
  });

  it('carries a label that tells it apart from the headless Service', () => {
    const { clientService, headlessService } = render();
    expect(clientService.metadata?.labels?.['stateful-visits/service']).toBe('client');
    expect(headlessService.metadata?.labels?.['stateful-visits/service']).toBe('headless');
  });
});
