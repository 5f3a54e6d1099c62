import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { capabilitiesOf } from './capabilities.js';
import { v1_20, v1_31 } from './server-facts.fixtures.js';
import { adaptToServer, describeChanges, type K8sObject } from './compatibility.js';

// The product's committed manifests, as `kubectl apply -k k8s/base` would send them.
const base = resolve(import.meta.dirname, '../../../../k8s/base');
const load = (file: string) => parse(readFileSync(resolve(base, file), 'utf8')) as K8sObject;
const rendered = [
  load('stateful-set.yaml'),
  load('pod-disruption-budget.yaml'),
  load('client-service.yaml'),
];

const get = (objects: readonly K8sObject[], kind: string) => {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind}`);
  return found as K8sObject & { spec: Record<string, unknown> };
};
const container = (statefulSet: K8sObject) =>
  (statefulSet['spec'] as { template: { spec: { containers: Record<string, unknown>[] } } })
    .template.spec.containers[0];

describe('adaptToServer', () => {
  it('changes nothing where the server supports the manifests as they are', () => {
    const { objects, changes } = adaptToServer(rendered, capabilitiesOf(v1_31));
    expect(changes).toEqual([]);
    expect(objects).toEqual(rendered);
  });

  it('fits the manifests to 1.20 and lists each change with the check it weakens', () => {
    const { objects, changes } = adaptToServer(rendered, capabilitiesOf(v1_20));
    expect(changes.map((c) => [c.object, c.change.split(' ')[0]])).toEqual([
      ['StatefulSet/visits', 'container'],
      ['StatefulSet/visits', 'spec.minReadySeconds'],
      ['StatefulSet/visits', 'spec.persistentVolumeClaimRetentionPolicy'],
      ['PodDisruptionBudget/visits', 'apiVersion'],
      ['PodDisruptionBudget/visits', 'spec.unhealthyPodEvictionPolicy'],
    ]);
    for (const change of changes) expect(change.weakens).not.toBe('');

    const statefulSet = get(objects, 'StatefulSet');
    expect(container(statefulSet)?.['lifecycle']).toEqual({
      preStop: { exec: { command: ['sleep', '5'] } },
    });
    expect(statefulSet.spec).not.toHaveProperty('minReadySeconds');
    expect(statefulSet.spec).not.toHaveProperty('persistentVolumeClaimRetentionPolicy');
    const budget = get(objects, 'PodDisruptionBudget');
    expect(budget.apiVersion).toBe('policy/v1beta1');
    expect(budget.spec).toEqual({
      maxUnavailable: 1,
      selector: get(rendered, 'PodDisruptionBudget').spec['selector'],
    });
    // Everything else is as rendered, and the input itself is untouched.
    expect(get(objects, 'Service')).toEqual(get(rendered, 'Service'));
    expect(container(get(rendered, 'StatefulSet'))?.['lifecycle']).toEqual({
      preStop: { sleep: { seconds: 5 } },
    });
  });

  it('prints the list, or that none was needed', () => {
    const { changes } = adaptToServer(rendered, capabilitiesOf(v1_20));
    expect(describeChanges('v1.20.2', changes)).toMatch(
      /^compatibility step for Kubernetes v1\.20\.2 \(test-only; k8s\/ is unchanged\): 5 change\(s\)\n {2}- StatefulSet\/visits: container visits: preStop sleep action \(5 s\)/,
    );
    expect(describeChanges('v1.31.0', [])).toBe(
      'compatibility step: none needed on Kubernetes v1.31.0',
    );
  });
});
