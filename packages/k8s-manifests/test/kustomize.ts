// Shared by the specs that hold rendered kustomize directories to the package: `kubectl kustomize`
// (client 1.32, kustomize 5.5, offline), when kubectl is on PATH.
import { execFileSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { ManifestObject } from '../src/visits.js';

function kubectlVersion(): string | undefined {
  try {
    return execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8', stdio: 'pipe' });
  } catch {
    return undefined;
  }
}

/** Whether `kubectl` runs here; suites that need it skip, saying so, when it does not. */
export const hasKubectl = kubectlVersion() !== undefined;

/** The objects `kubectl kustomize dir` renders. */
export function kustomize(dir: string): unknown[] {
  const out = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', stdio: 'pipe' });
  return parseAllDocuments(out).map((d) => d.toJS() as unknown);
}

/** Objects keyed `Kind/name`, to compare renderings whatever their order. */
export function byKindAndName(objects: readonly unknown[]): Record<string, unknown> {
  return Object.fromEntries(
    objects.map((o) => {
      const { kind, metadata } = o as { kind: string; metadata: { name: string } };
      return [`${kind}/${metadata.name}`, o];
    }),
  );
}

export function plain(objects: readonly ManifestObject[]): unknown[] {
  return objects.map((o) => o.toJSON());
}
