// A kustomize base and its overlays, as file name → object. An overlay is not written by hand:
// its namespace and image become kustomize's `namespace:` and `images:`, objects only it has
// become resources, and every other difference to the base becomes a derived strategic-merge patch.
import type { Overlay } from './overlays.js';
import type { VisitsProps } from './props.js';
import { resolveVisitsProps } from './resolve-props.js';
import { strategicMergePatch, type JsonObject } from './strategic-merge-patch.js';
import { visitsManifests, type ManifestObject, type VisitsManifests } from './visits.js';

/** File name → the object it holds (serialised to YAML by the caller). */
export type KustomizeFiles = Map<string, unknown>;

/** Splits an image reference into the name and the tag or digest kustomize's `images:` sets. */
export function splitImage(image: string): { name: string; tag?: string; digest?: string } {
  const at = image.indexOf('@');
  if (at >= 0) return { name: image.slice(0, at), digest: image.slice(at + 1) };
  const colon = image.lastIndexOf(':');
  if (colon > image.lastIndexOf('/')) {
    return { name: image.slice(0, colon), tag: image.slice(colon + 1) };
  }
  return { name: image };
}

const kebab = (role: string) => role.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function roles(m: VisitsManifests): Map<string, ManifestObject> {
  return new Map(
    Object.entries(m).filter((entry): entry is [string, ManifestObject] => entry[1] !== undefined),
  );
}

function kustomization(fields: Record<string, unknown>) {
  return { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', ...fields };
}

/** One file per object, named after its role (`stateful-set.yaml`), and their kustomization. */
export function kustomizeBase(props: VisitsProps): KustomizeFiles {
  const files: KustomizeFiles = new Map();
  for (const [role, object] of roles(visitsManifests(props))) {
    files.set(`${kebab(role)}.yaml`, object.toJSON());
  }
  files.set('kustomization.yaml', kustomization({ resources: [...files.keys()] }));
  return files;
}

/**
 * The overlay of {@link kustomizeBase}`(base)` that renders `visitsManifests(overlay.props)`.
 * @throws {PatchDerivationError} when a difference cannot be a patch (e.g. another `name`)
 */
export function kustomizeOverlay(overlay: Overlay, base: VisitsProps): KustomizeFiles {
  const from = resolveVisitsProps(base);
  const to = resolveVisitsProps(overlay.props);
  const baseObjects = roles(visitsManifests(base));
  const overlayObjects = roles(visitsManifests(overlay.props));
  // What the overlay's patches must produce before kustomize's namespace and image transformers run.
  const patched = roles(
    visitsManifests({ ...overlay.props, namespace: from.namespace, image: from.image }),
  );

  const resources = new Map<string, unknown>();
  for (const [role, object] of overlayObjects) {
    if (!baseObjects.has(role)) resources.set(`${kebab(role)}.yaml`, object.toJSON());
  }
  const patches = new Map<string, unknown>();
  for (const [role, object] of baseObjects) {
    const target = patched.get(role);
    const patch = target
      ? strategicMergePatch(object.toJSON() as JsonObject, target.toJSON() as JsonObject)
      : {
          apiVersion: object.apiVersion,
          kind: object.kind,
          metadata: { name: object.metadata?.name },
          $patch: 'delete',
        };
    if (patch) patches.set(`${kebab(role)}.patch.yaml`, patch);
  }

  const baseImage = splitImage(from.image);
  const image = splitImage(to.image);
  const files: KustomizeFiles = new Map();
  files.set(
    'kustomization.yaml',
    kustomization({
      ...(to.namespace === undefined || to.namespace === from.namespace
        ? {}
        : { namespace: to.namespace }),
      resources: ['../../base', ...resources.keys()],
      images: [
        {
          name: baseImage.name,
          ...(image.name === baseImage.name ? {} : { newName: image.name }),
          ...(image.tag === undefined ? {} : { newTag: image.tag }),
          ...(image.digest === undefined ? {} : { digest: image.digest }),
        },
      ],
      patches: [...patches.keys()].map((path) => ({ path })),
    }),
  );
  for (const [file, content] of [...resources, ...patches]) files.set(file, content);
  return files;
}
