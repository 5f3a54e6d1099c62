import { diffGeneratedFiles, generatedHeader, writeGeneratedFiles } from './generated-files.js';
import { kustomizeBase, kustomizeOverlay } from './kustomize.js';
import { baseProps, kindCluster, overlays, type Overlay } from './overlays.js';
import type { VisitsProps } from './props.js';
import { toYamlDocument } from './render.js';
import { manifestList, visitsManifests, type ManifestObject } from './visits.js';

/** The command that regenerates the committed `k8s/` directory. */
export const RENDER_COMMAND = 'npm run render -w @stateful-visits/k8s-manifests';

const HEADER = generatedHeader(RENDER_COMMAND);

/** Everything under `k8s/` is rendered from these: the base, its overlays and the kind cluster. */
export interface K8sTreeSource {
  readonly base: VisitsProps;
  readonly overlays: readonly Overlay[];
}

function yamlFile(value: unknown): string {
  return HEADER + toYamlDocument(value);
}

/**
 * Everything under `k8s/`, as relative path → file content: the base, the overlays (their
 * patches derived from their props, see kustomize.ts) and the kind cluster config.
 */
export function renderK8sTree(
  source: K8sTreeSource = { base: baseProps, overlays },
): Map<string, string> {
  const tree = new Map<string, string>();
  for (const [file, content] of kustomizeBase(source.base)) {
    tree.set(`base/${file}`, yamlFile(content));
  }
  for (const overlay of source.overlays) {
    for (const [file, content] of kustomizeOverlay(overlay, source.base)) {
      tree.set(`overlays/${overlay.name}/${file}`, yamlFile(content));
    }
  }
  tree.set('kind/cluster.yaml', yamlFile(kindCluster));
  return tree;
}

/** The objects an overlay must render to, for comparing with `kubectl kustomize`. */
export function overlayObjects(overlay: Overlay): ManifestObject[] {
  return manifestList(visitsManifests(overlay.props));
}

/** The tree's renderer owns every `.yaml` file under `k8s/`, and removes one it no longer generates. */
const isYaml = (path: string) => path.endsWith('.yaml');

/**
 * Compares `dir` with {@link renderK8sTree}: one line per file that is missing, differs, or is
 * a YAML file that would no longer be generated. Empty when `dir` is up to date.
 */
export function diffK8sTree(dir: string): string[] {
  return diffGeneratedFiles(dir, renderK8sTree(), isYaml);
}

/** Writes {@link renderK8sTree} into `dir` and removes YAML files it no longer generates. */
export function writeK8sTree(dir: string): { written: string[]; removed: string[] } {
  return writeGeneratedFiles(dir, renderK8sTree(), isYaml);
}
