import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasKubectl, kustomize } from '../test/kustomize.js';
import { toYamlDocument } from './render.js';
import {
  PatchDerivationError,
  strategicMergePatch,
  type Json,
  type JsonObject,
} from './strategic-merge-patch.js';

type Env = readonly { name: string; value?: string }[];

/** A StatefulSet whose one container has `env`, enough to exercise maps, keyed and atomic lists. */
function statefulSet(env: Env, extra: Record<string, Json> = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'v', labels: { app: 'v' } },
    spec: {
      replicas: 3,
      template: { spec: { containers: [{ name: 'c', image: 'x', env }] } },
      ...extra,
    },
  };
}

const A = { name: 'A', value: '1' };
const B = { name: 'B', value: '2' };
const C = { name: 'C', value: '3' };

describe('strategicMergePatch', () => {
  it('is undefined for equal objects', () => {
    expect(strategicMergePatch(statefulSet([A]), statefulSet([A]))).toBeUndefined();
  });

  it('holds only what changed, null for what is gone, and the object it applies to', () => {
    const base = statefulSet([A], { minReadySeconds: 5 });
    const target = {
      ...statefulSet([A], { replicas: 5 }),
      metadata: { name: 'v', labels: { app: 'v', tier: 'db' } },
    };
    expect(strategicMergePatch(base, target)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'v', labels: { tier: 'db' } },
      spec: { replicas: 5, minReadySeconds: null },
    });
  });

  it('names changed, added and deleted items of a keyed list, leaving out an unchanged tail', () => {
    const patch = strategicMergePatch(
      statefulSet([A, B, C]),
      statefulSet([{ name: 'A', value: '9' }, { name: 'D' }, C]),
    );
    expect(patch).toMatchObject({
      spec: {
        template: {
          spec: {
            containers: [
              {
                name: 'c',
                env: [{ name: 'A', value: '9' }, { name: 'D' }, { name: 'B', $patch: 'delete' }],
              },
            ],
          },
        },
      },
    });
  });

  it('replaces an atomic list whole', () => {
    const claim = (size: string) => ({
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { size } }],
    });
    expect(
      strategicMergePatch(statefulSet([], claim('1Gi')), statefulSet([], claim('2Gi'))),
    ).toMatchObject({
      spec: { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { size: '2Gi' } }] },
    });
  });

  it('refuses objects of another name, and keyed items without their key', () => {
    const renamed = { ...statefulSet([]), metadata: { name: 'w' } };
    expect(() => strategicMergePatch(statefulSet([]), renamed)).toThrow(PatchDerivationError);
    expect(() => strategicMergePatch(statefulSet([]), renamed)).toThrow(
      /cannot patch "StatefulSet" "v" into "StatefulSet" "w"/,
    );
    expect(() =>
      strategicMergePatch(
        statefulSet([A]),
        statefulSet([{ value: '1' } as unknown as { name: string }]),
      ),
    ).toThrow(/an item of spec\.template\.spec\.containers\.env has no name/);
  });
});

// Whatever order the target wants, kustomize must produce exactly it from the base and the patch.
const orders: [string, Env, Env][] = [
  ['a changed item at the end', [A, B], [A, { name: 'B', value: '9' }]],
  ['a changed item at the start', [A, B], [{ name: 'A', value: '9' }, B]],
  ['an item added at the end', [A, B], [A, B, C]],
  ['an item added in the middle', [A, B], [A, C, B]],
  ['an item deleted', [A, B, C], [A, C]],
  ['the items reversed', [A, B, C], [C, B, A]],
  ['a field removed from an item', [A, B], [{ name: 'A' }, B]],
];

describe.skipIf(!hasKubectl)('a derived patch, applied by `kubectl kustomize`', () => {
  const dir = mkdtempSync(join(tmpdir(), 'strategic-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(orders)('gives the target: %s', (name, from, to) => {
    const root = join(dir, name.replace(/\W+/g, '-'));
    mkdirSync(root);
    const files = {
      'base.yaml': statefulSet(from),
      'patch.yaml': strategicMergePatch(statefulSet(from), statefulSet(to)),
      'kustomization.yaml': { resources: ['base.yaml'], patches: [{ path: 'patch.yaml' }] },
    };
    for (const [file, content] of Object.entries(files)) {
      writeFileSync(join(root, file), toYamlDocument(content));
    }
    expect(kustomize(root)).toEqual([statefulSet(to)]);
  });
});
