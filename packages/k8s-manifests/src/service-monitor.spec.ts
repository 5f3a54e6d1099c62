import { describe, expect, it } from 'vitest';
import { matches, render } from '../test/support.js';
import { JOB_LABEL, POD_INDEX_LABEL } from './service-monitor.js';

describe('visitsServiceMonitor', () => {
  it('is not rendered by default', () => {
    expect(render()).not.toHaveProperty('serviceMonitor');
  });

  it('selects the headless Service only, so each pod is scraped once', () => {
    const m = render({ serviceMonitor: true });
    const selector = m.serviceMonitor?.spec.selector.matchLabels;
    expect(matches(selector, m.headlessService.metadata?.labels)).toBe(true);
    expect(matches(selector, m.clientService.metadata?.labels)).toBe(false);
  });

  it('scrapes /metrics on the named ops port at the configured interval', () => {
    const m = render({ serviceMonitor: true, serviceMonitorInterval: '15s' });
    const [endpoint, ...rest] = m.serviceMonitor?.spec.endpoints ?? [];
    expect(rest).toEqual([]);
    expect(endpoint).toMatchObject({ port: 'ops', path: '/metrics', interval: '15s' });
    expect(m.headlessService.spec?.ports?.map((p) => p.name)).toContain('ops');
  });

  it("names the job after the StatefulSet, as the rules' job selector expects", () => {
    for (const name of ['visits', 'visits-green']) {
      const m = render({ name, serviceMonitor: true });
      const jobLabel = m.serviceMonitor?.spec.jobLabel;
      expect(jobLabel).toBe(JOB_LABEL);
      // The operator takes the job from this label of the scraped Service (else its name).
      expect(m.headlessService.metadata?.labels?.[jobLabel!]).toBe(name);
    }
  });

  it('labels every series with pod, statefulset and the pod ordinal', () => {
    const relabelings =
      render({ serviceMonitor: true }).serviceMonitor?.spec.endpoints[0]?.relabelings ?? [];
    const byTarget = Object.fromEntries(relabelings.map((r) => [r.targetLabel, r.sourceLabels]));
    expect(byTarget).toEqual({
      pod: ['__meta_kubernetes_pod_name'],
      statefulset: ['__meta_kubernetes_pod_controller_name'],
      ordinal: ['__meta_kubernetes_pod_label_apps_kubernetes_io_pod_index'],
    });
    expect(POD_INDEX_LABEL).toBe('apps.kubernetes.io/pod-index');
  });

  it('carries extra labels for the Prometheus that should pick it up', () => {
    const monitor = render({
      serviceMonitor: true,
      serviceMonitorLabels: { release: 'kube-prometheus-stack' },
    }).serviceMonitor;
    expect(monitor?.metadata?.labels).toMatchObject({
      release: 'kube-prometheus-stack',
      'app.kubernetes.io/name': 'visits',
    });
  });
});
