import { Namespace } from 'kubernetes-models/v1/Namespace';
import { commonLabels } from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/**
 * The namespace, labelled so the API server enforces the Pod Security Standards `restricted`
 * profile on every pod in it (and warns and audits against the same level).
 * Rendered only when `namespace` is set.
 */
export function visitsNamespace(p: ResolvedVisitsProps): Namespace | undefined {
  if (p.namespace === undefined) return undefined;
  return new Namespace({
    metadata: {
      name: p.namespace,
      labels: {
        ...commonLabels(p),
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
}
