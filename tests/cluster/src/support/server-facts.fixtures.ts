// What two kinds of server report, for the unit tests of the suite's own logic.
import type { ServerFacts } from './capabilities.js';

/** A v1.20 server as the local Debian-built cluster reports it, one node, without a DNS service. */
export const v1_20: ServerFacts = {
  version: { major: '1', minor: '20', gitVersion: 'v1.20.2' },
  apiVersions: ['apps/v1', 'policy/v1beta1', 'v1'],
  schemaProperties: {
    'io.k8s.api.apps.v1.StatefulSetSpec': ['podManagementPolicy', 'replicas', 'updateStrategy'],
    'io.k8s.api.core.v1.LifecycleHandler': [],
    'io.k8s.api.core.v1.Handler': ['exec', 'httpGet', 'tcpSocket'],
    'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': [],
    'io.k8s.api.policy.v1beta1.PodDisruptionBudgetSpec': ['maxUnavailable', 'selector'],
  },
  dnsServices: 0,
  schedulableNodes: 1,
};

/** A current cluster such as kind's (v1.31: everything the manifests use, DNS, two workers). */
export const v1_31: ServerFacts = {
  version: { major: '1', minor: '31', gitVersion: 'v1.31.0' },
  apiVersions: ['apps/v1', 'policy/v1', 'v1'],
  schemaProperties: {
    'io.k8s.api.apps.v1.StatefulSetSpec': [
      'minReadySeconds',
      'persistentVolumeClaimRetentionPolicy',
      'replicas',
    ],
    'io.k8s.api.core.v1.LifecycleHandler': ['exec', 'httpGet', 'sleep', 'tcpSocket'],
    'io.k8s.api.policy.v1.PodDisruptionBudgetSpec': [
      'maxUnavailable',
      'unhealthyPodEvictionPolicy',
    ],
  },
  dnsServices: 1,
  schedulableNodes: 2,
};
