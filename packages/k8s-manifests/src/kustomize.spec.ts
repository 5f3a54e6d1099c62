import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { byKindAndName, hasKubectl, kustomize, plain } from '../test/kustomize.js';
import { renderK8sTree } from './k8s-tree.js';
import { kustomizeOverlay, splitImage } from './kustomize.js';
import { overlays, type Overlay } from './overlays.js';
import type { VisitsProps } from './props.js';
import { PatchDerivationError } from './strategic-merge-patch.js';
import { manifestList, visitsManifests } from './visits.js';

function overlay(name: string): Overlay {
  const found = overlays.find((o) => o.name === name);
  if (!found) throw new Error(`no overlay ${name}`);
  return found;
}

describe('kustomizeOverlay', () => {
  it('turns the kind overlay into a namespace, a NetworkPolicy, an image and one patch: the pull policy and the volume size', () => {
    const files = kustomizeOverlay(overlay('kind'), {});
    expect([...files.keys()]).toEqual([
      'kustomization.yaml',
      'namespace.yaml',
      'network-policy.yaml',
      'stateful-set.patch.yaml',
    ]);
    expect(files.get('kustomization.yaml')).toMatchObject({
      namespace: 'visits',
      resources: ['../../base', 'namespace.yaml', 'network-policy.yaml'],
      images: [{ name: 'stateful-visits/visits', newTag: 'dev' }],
      patches: [{ path: 'stateful-set.patch.yaml' }],
    });
    expect(files.get('stateful-set.patch.yaml')).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'visits' },
      spec: {
        template: { spec: { containers: [{ name: 'visits', imagePullPolicy: 'Never' }] } },
        volumeClaimTemplates: [
          {
            metadata: {
              name: 'data',
              labels: {
                'app.kubernetes.io/name': 'visits',
                'app.kubernetes.io/instance': 'visits',
              },
            },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } },
          },
        ],
      },
    });
  });

  it('derives nothing for an overlay equal to the base', () => {
    const files = kustomizeOverlay({ name: 'same', props: {} }, {});
    expect([...files.keys()]).toEqual(['kustomization.yaml']);
    expect(files.get('kustomization.yaml')).toMatchObject({
      resources: ['../../base'],
      patches: [],
    });
  });

  it('refuses an overlay that renames the objects, which a patch cannot do', () => {
    expect(() => kustomizeOverlay({ name: 'renamed', props: { name: 'counter' } }, {})).toThrow(
      PatchDerivationError,
    );
  });
});

// Overlays unlike the committed ones, so every kind of difference is derived and then applied by
// the real kustomize: changed, added and removed fields, keyed and atomic lists, new and deleted
// objects, another namespace, an image by digest.
const variants: [string, VisitsProps, VisitsProps][] = [
  [
    'every env, pod and storage setting changed',
    {},
    {
      namespace: 'other',
      image: `registry:5000/visits@sha256:${'a'.repeat(64)}`,
      replicas: 5,
      port: 8080,
      clientServicePort: 8080,
      timezone: 'Europe/Berlin',
      recentVisits: 1000,
      logLevel: 'debug',
      shutdownTimeoutMs: 30_000,
      preStopSleepSeconds: 0,
      updateStrategy: { type: 'OnDelete' },
      pvcRetentionPolicy: { whenScaled: 'Delete' },
      storageClassName: 'fast-ssd',
      accessMode: 'ReadWriteOncePod',
      resources: { requests: { cpu: '1' } },
      prometheusScrapeAnnotations: false,
      topologySpread: 'DoNotSchedule',
      podManagementPolicy: 'OrderedReady',
    },
  ],
  [
    'a canary with a NetworkPolicy for one namespace and a labelled ServiceMonitor',
    {},
    {
      updateStrategy: { type: 'RollingUpdate', partition: 2 },
      minReadySeconds: 0,
      networkPolicy: true,
      networkPolicyIngressFrom: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress' } } },
      ],
      serviceMonitor: true,
      serviceMonitorLabels: { release: 'prometheus' },
    },
  ],
  [
    'objects of the base switched off',
    { serviceMonitor: true, networkPolicy: true, logLevel: 'warn' },
    { serviceMonitor: false, networkPolicy: true, logLevel: 'warn', clientServiceType: 'NodePort' },
  ],
  [
    'a ServiceMonitor of the base rescheduled and relabelled',
    { serviceMonitor: true },
    { serviceMonitor: true, serviceMonitorInterval: '10s', serviceMonitorLabels: { release: 'x' } },
  ],
];

describe.skipIf(!hasKubectl)('derived overlays, applied by `kubectl kustomize`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kustomize-variants-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(variants)('render exactly the props: %s', (name, base, props) => {
    const root = join(dir, name.replace(/\W+/g, '-'));
    const tree = renderK8sTree({ base, overlays: [{ name: 'variant', props }] });
    for (const [path, content] of tree) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    expect(byKindAndName(kustomize(join(root, 'overlays/variant')))).toEqual(
      byKindAndName(plain(manifestList(visitsManifests(props)))),
    );
  });
});

describe('splitImage', () => {
  it.each([
    ['stateful-visits/visits:dev', { name: 'stateful-visits/visits', tag: 'dev' }],
    ['stateful-visits/visits', { name: 'stateful-visits/visits' }],
    ['registry:5000/visits:1.2', { name: 'registry:5000/visits', tag: '1.2' }],
    ['registry:5000/visits', { name: 'registry:5000/visits' }],
    ['visits@sha256:abc', { name: 'visits', digest: 'sha256:abc' }],
  ])('splits %s', (image, expected) => {
    expect(splitImage(image)).toEqual(expected);
  });
});
