/** A JSON value, as the kubernetes-models objects serialise to. */
export type Json = null | boolean | number | string | readonly Json[] | JsonObject;
export interface JsonObject {
  readonly [key: string]: Json;
}

/** Lists whose items strategic merge pairs by key fields, and those fields. */
type MergeKeys = Readonly<Record<string, readonly string[]>>;

const POD = 'spec.template.spec';
/**
 * The lists of the objects this package renders that kustomize merges by key, by kind and field
 * path (list indexes left out): their `x-kubernetes-list-map-keys` in the Kubernetes API, which
 * kustomize pairs items by. Every other list is atomic: a patch replaces it whole.
 */
const MERGE_KEYS: Readonly<Record<string, MergeKeys>> = {
  StatefulSet: {
    [`${POD}.containers`]: ['name'],
    [`${POD}.containers.env`]: ['name'],
    [`${POD}.containers.ports`]: ['containerPort', 'protocol'],
    [`${POD}.containers.volumeMounts`]: ['mountPath'],
    [`${POD}.initContainers`]: ['name'],
    [`${POD}.volumes`]: ['name'],
    [`${POD}.topologySpreadConstraints`]: ['topologyKey', 'whenUnsatisfiable'],
  },
  Service: { 'spec.ports': ['port', 'protocol'] },
};

/** Thrown when a difference has no strategic-merge form (a renamed object, an item without its key). */
export class PatchDerivationError extends Error {
  override readonly name = 'PatchDerivationError';
}

const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffObject(keys: MergeKeys, path: string, base: JsonObject, target: JsonObject) {
  const patch: Record<string, Json> = {};
  for (const [field, value] of Object.entries(target)) {
    const change = diff(keys, path === '' ? field : `${path}.${field}`, base[field], value);
    if (change !== undefined) patch[field] = change;
  }
  // null deletes a field in a strategic-merge (and JSON merge) patch.
  for (const field of Object.keys(base)) if (!(field in target)) patch[field] = null;
  return Object.keys(patch).length === 0 ? undefined : patch;
}

/** The key fields of a keyed list's item, which name it in a patch. */
function identity(item: Json, fields: readonly string[], path: string): JsonObject {
  const id: Record<string, Json> = {};
  for (const field of fields) {
    const value = isObject(item) ? item[field] : undefined;
    if (value === undefined) {
      throw new PatchDerivationError(`an item of ${path} has no ${field}, a key it is merged by`);
    }
    id[field] = value;
  }
  return id;
}

/**
 * kustomize merges a keyed list as: the patch's items in the patch's order, then the base items
 * the patch does not name, in base order. So the patch names every target item but the longest
 * tail that is unchanged and in base order, and deletes (`$patch: delete`) the base items the
 * target lacks.
 */
function diffKeyedList(
  keys: MergeKeys,
  path: string,
  fields: readonly string[],
  base: readonly Json[],
  target: readonly Json[],
): Json[] {
  const baseIds = base.map((item) => JSON.stringify(identity(item, fields, path)));
  const targetIds = target.map((item) => JSON.stringify(identity(item, fields, path)));
  let tail = target.length;
  for (let next = base.length; tail > 0; tail--) {
    const at = baseIds.indexOf(targetIds[tail - 1] ?? '');
    if (at < 0 || at >= next || !equal(base[at], target[tail - 1])) break;
    next = at;
  }
  const named = target.slice(0, tail).map((item, i): Json => {
    const was = base[baseIds.indexOf(targetIds[i] ?? '')];
    if (was === undefined) return item;
    const change = isObject(was) && isObject(item) ? diffObject(keys, path, was, item) : undefined;
    return { ...identity(item, fields, path), ...change };
  });
  const deleted = base
    .filter((_, i) => !targetIds.includes(baseIds[i] ?? ''))
    .map((item): Json => ({ ...identity(item, fields, path), $patch: 'delete' }));
  return [...named, ...deleted];
}

function diff(keys: MergeKeys, path: string, base: Json | undefined, target: Json) {
  if (equal(base, target)) return undefined;
  if (isObject(base) && isObject(target)) return diffObject(keys, path, base, target);
  const fields = keys[path];
  if (fields !== undefined && Array.isArray(base) && Array.isArray(target)) {
    return diffKeyedList(keys, path, fields, base as readonly Json[], target as readonly Json[]);
  }
  return target;
}

/**
 * The strategic-merge patch that turns `base` into `target`, two renderings of the same object;
 * `undefined` when they are equal. The patch names the object by `apiVersion`, `kind` and
 * `metadata.name`, as kustomize's `patches:` expects.
 * @throws {PatchDerivationError} when the objects differ in kind or name, or a keyed item lacks its key
 */
export function strategicMergePatch(base: JsonObject, target: JsonObject): JsonObject | undefined {
  const id = (o: JsonObject) => ({
    apiVersion: o['apiVersion'],
    kind: o['kind'],
    name: isObject(o['metadata']) ? o['metadata']['name'] : undefined,
  });
  const from = id(base);
  const to = id(target);
  if (!equal(from, to)) {
    const show = (i: typeof from) => `${JSON.stringify(i.kind)} ${JSON.stringify(i.name)}`;
    throw new PatchDerivationError(
      `cannot patch ${show(from)} into ${show(to)}: an overlay can change objects, not their kind or name`,
    );
  }
  const keys = typeof to.kind === 'string' ? MERGE_KEYS[to.kind] : undefined;
  const change = diffObject(keys ?? {}, '', base, target);
  if (change === undefined) return undefined;
  const { metadata, ...rest } = change;
  return {
    apiVersion: to.apiVersion,
    kind: to.kind,
    metadata: { name: to.name, ...(isObject(metadata) ? metadata : {}) },
    ...rest,
  } as JsonObject;
}
