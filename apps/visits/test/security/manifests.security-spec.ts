import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { IMAGE_UID as SERVICE_UID } from '@stateful-visits/visits-contract';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { isCi } from '../harness/ci.js';
import { REPO_ROOT } from '../harness/paths.js';

const run = promisify(execFile);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v ?? {}) as Obj;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/**
 * The restricted Pod Security profile, as far as this service is concerned: non-root numeric
 * user, read-only root, every capability dropped, no privilege escalation, RuntimeDefault
 * seccomp, no service account token, nothing from the host. (packages/k8s-manifests tests the
 * typed manifests in detail; this checks what is actually rendered and applied.)
 */
function expectRestricted(statefulSet: Obj, where: string): void {
  const pod = obj(obj(obj(statefulSet['spec'])['template'])['spec']);
  const podSecurity = obj(pod['securityContext']);
  expect(pod['automountServiceAccountToken'], where).toBe(false);
  expect(podSecurity['runAsNonRoot'], where).toBe(true);
  expect(podSecurity['runAsUser'], where).toBe(SERVICE_UID);
  expect(podSecurity['runAsGroup'], where).toBe(SERVICE_UID);
  expect(obj(podSecurity['seccompProfile'])['type'], where).toBe('RuntimeDefault');
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC', 'shareProcessNamespace'])
    expect(pod[key], `${where}: ${key}`).not.toBe(true);
  expect(
    list(pod['volumes']).filter((v) => 'hostPath' in v),
    where,
  ).toEqual([]);
  const containers = [...list(pod['initContainers']), ...list(pod['containers'])];
  expect(containers.length, where).toBeGreaterThan(0);
  for (const container of containers) {
    const at = `${where}: container ${String(container['name'])}`;
    const security = obj(container['securityContext']);
    expect(security['allowPrivilegeEscalation'], at).toBe(false);
    expect(security['readOnlyRootFilesystem'], at).toBe(true);
    expect(security['privileged'], at).not.toBe(true);
    expect(security['runAsUser'] ?? podSecurity['runAsUser'], at).not.toBe(0);
    const capabilities = obj(security['capabilities']);
    expect(capabilities['drop'], at).toEqual(['ALL']);
    expect(capabilities['add'] ?? [], at).toEqual([]);
    expect(
      list(container['ports']).filter((p) => 'hostPort' in p),
      at,
    ).toEqual([]);
  }
}

describe('security of the rendered manifests', () => {
  it('the base StatefulSet (k8s/base/stateful-set.yaml) runs restricted', async () => {
    const statefulSet = parse(
      await readFile(resolve(REPO_ROOT, 'k8s/base/stateful-set.yaml'), 'utf8'),
    ) as Obj;
    expect(statefulSet['kind']).toBe('StatefulSet');
    expectRestricted(statefulSet, 'k8s/base');
    const account = parse(
      await readFile(resolve(REPO_ROOT, 'k8s/base/service-account.yaml'), 'utf8'),
    ) as Obj;
    expect(account['automountServiceAccountToken']).toBe(false);
  });

  it.each(['kind', 'production'])(
    'the %s overlay, as kustomize renders it, keeps every setting',
    async (overlay) => {
      let rendered: string;
      try {
        rendered = (
          await run('kubectl', ['kustomize', resolve(REPO_ROOT, 'k8s/overlays', overlay)], {
            maxBuffer: 16 * 1024 * 1024,
          })
        ).stdout;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !isCi()) {
          console.warn('[security] SKIPPING the overlay check: kubectl is not installed');
          return;
        }
        throw error;
      }
      const docs = parseAllDocuments(rendered).map((d) => d.toJS() as Obj);
      const statefulSets = docs.filter((d) => d['kind'] === 'StatefulSet');
      expect(statefulSets).toHaveLength(1);
      expectRestricted(statefulSets[0]!, `k8s/overlays/${overlay}`);
      for (const account of docs.filter((d) => d['kind'] === 'ServiceAccount'))
        expect(account['automountServiceAccountToken']).toBe(false);
      // The client Service (a public LoadBalancer in production) reaches the visit routes only:
      // never /metrics or /health/*, whose readiness report names files on the volume.
      const client = docs.find(
        (d) => d['kind'] === 'Service' && (d['spec'] as Obj)['clusterIP'] !== 'None',
      );
      const targets = list((client?.['spec'] as Obj | undefined)?.['ports']).map(
        (p) => p['targetPort'],
      );
      expect(targets, `k8s/overlays/${overlay}: client Service ports`).toEqual(['http']);
      const container = list(
        ((statefulSets[0]!['spec'] as Obj)['template'] as { spec: Obj }).spec['containers'],
      )[0]!;
      const opsPort = list(container['ports']).find((p) => p['name'] === 'ops');
      expect(opsPort, `k8s/overlays/${overlay}: the ops port`).toBeDefined();
      expect(targets).not.toContain(opsPort!['containerPort']);
    },
  );
});
