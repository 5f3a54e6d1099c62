// The test-only compatibility step: fits a copy of the rendered manifests to a server older than
// the product supports (1.30), listing every change and the check it weakens. It changes nothing
// on a server that supports the manifests as they are; the product's manifests (k8s/) never change.
import type { Capabilities } from './capabilities.js';

/** A Kubernetes object as parsed from YAML. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface CompatibilityChange {
  /** `Kind/name` of the object changed. */
  readonly object: string;
  readonly change: string;
  /** What the suite proves less well because of it ("none" when no check depends on it). */
  readonly weakens: string;
}

export interface Adapted {
  readonly objects: K8sObject[];
  readonly changes: CompatibilityChange[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function podContainers(statefulSet: K8sObject): Json[] {
  const spec = statefulSet['spec'];
  const template = isObject(spec) ? spec['template'] : undefined;
  const podSpec = isObject(template) ? template['spec'] : undefined;
  const containers = isObject(podSpec) ? podSpec['containers'] : undefined;
  return Array.isArray(containers) ? containers.filter(isObject) : [];
}

/**
 * The objects, changed only where the server lacks what they use, and the list of changes.
 * The input is not modified.
 */
export function adaptToServer(objects: readonly K8sObject[], c: Capabilities): Adapted {
  const changes: CompatibilityChange[] = [];
  const adapted = objects.map((original) => {
    const o = structuredClone(original);
    const id = `${o.kind}/${o.metadata.name}`;
    const spec = o['spec'];
    /** Drops `spec.<field>`, which this server does not know, and lists the change. */
    const removeField = (
      from: Json,
      field: string,
      weakens: string,
      show: (value: unknown) => string = String,
    ) => {
      if (!(field in from)) return;
      changes.push({ object: id, change: `spec.${field} (${show(from[field])}) removed`, weakens });
      delete from[field];
    };
    if (o.kind === 'StatefulSet' && isObject(spec)) {
      if (!c.preStopSleep) {
        for (const container of podContainers(o)) {
          const lifecycle = container['lifecycle'];
          const preStop = isObject(lifecycle) ? lifecycle['preStop'] : undefined;
          const sleep = isObject(preStop) ? preStop['sleep'] : undefined;
          if (isObject(lifecycle) && isObject(sleep)) {
            const seconds = String(sleep['seconds']);
            lifecycle['preStop'] = { exec: { command: ['sleep', seconds] } };
            changes.push({
              object: id,
              change: `container ${String(container['name'])}: preStop sleep action (${seconds} s) → exec hook running the image's sleep ${seconds}`,
              weakens:
                'the shutdown check sees the same delay before SIGTERM, but from an exec hook in the container, not the kubelet’s built-in sleep action',
            });
          }
        }
      }
      if (!c.statefulSetMinReadySeconds) {
        removeField(
          spec,
          'minReadySeconds',
          'rollouts and scaling do not wait that long after each pod is ready; the update and scaling checks still prove order and counts, not the delay',
        );
      }
      if (!c.statefulSetPvcRetentionPolicy) {
        removeField(
          spec,
          'persistentVolumeClaimRetentionPolicy',
          'claims are kept on scale-in and deletion because that is this server’s only behaviour, not because the policy says Retain',
          JSON.stringify,
        );
      }
    }
    if (o.kind === 'PodDisruptionBudget' && isObject(spec)) {
      if (!c.podDisruptionBudgetV1 && o.apiVersion === 'policy/v1') {
        o.apiVersion = 'policy/v1beta1';
        changes.push({
          object: id,
          change: 'apiVersion policy/v1 → policy/v1beta1 (same maxUnavailable and selector)',
          weakens: 'none: the suite does not evict pods; the budget is applied, not exercised',
        });
      }
      if (!c.pdbUnhealthyPodEvictionPolicy) {
        removeField(
          spec,
          'unhealthyPodEvictionPolicy',
          'none: running but unready pods would be protected by the budget (the older behaviour); the suite does not evict pods',
        );
      }
    }
    return o;
  });
  return { objects: adapted, changes };
}

/** The list as the suite prints it. */
export function describeChanges(version: string, changes: readonly CompatibilityChange[]): string {
  if (changes.length === 0) return `compatibility step: none needed on Kubernetes ${version}`;
  return [
    `compatibility step for Kubernetes ${version} (test-only; k8s/ is unchanged): ${changes.length} change(s)`,
    ...changes.map((c) => `  - ${c.object}: ${c.change}\n      weakens: ${c.weakens}`),
  ].join('\n');
}
