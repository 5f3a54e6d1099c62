import { stringify } from 'yaml';
import type { ManifestObject } from './visits.js';

/** One YAML document, as kubectl prints it but with the builder's field order. */
export function toYamlDocument(value: unknown): string {
  // lineWidth 0: never fold long strings (image references, checksums) across lines.
  return stringify(value, { lineWidth: 0 });
}

/** Renders objects as a multi-document YAML stream, ready for `kubectl apply -f -`. */
export function renderYaml(objects: readonly ManifestObject[]): string {
  return objects.map((o) => toYamlDocument(o.toJSON())).join('---\n');
}
