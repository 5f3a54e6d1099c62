import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { objectMeta, objectNames, selectorLabels } from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/**
 * At most one pod down at a time for voluntary disruptions (node drains). Each pod's count is
 * only reachable through that pod, so drains take them one by one.
 */
export function visitsPodDisruptionBudget(p: ResolvedVisitsProps): PodDisruptionBudget {
  return new PodDisruptionBudget({
    metadata: objectMeta(p, objectNames(p).podDisruptionBudget),
    spec: {
      maxUnavailable: 1,
      selector: { matchLabels: selectorLabels(p) },
      // A pod that is not ready serves nothing; evicting it must not be blocked by the budget,
      // or one stuck pod would stall every node drain.
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    },
  });
}
