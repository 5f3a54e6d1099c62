import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { objectMeta, objectNames } from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/**
 * The pods' own identity. The service never talks to the API server, so no token is mounted
 * and no Role is bound.
 */
export function visitsServiceAccount(p: ResolvedVisitsProps): ServiceAccount {
  return new ServiceAccount({
    metadata: objectMeta(p, objectNames(p).serviceAccount),
    automountServiceAccountToken: false,
  });
}
