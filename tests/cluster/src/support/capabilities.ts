// What the target cluster supports, read from the server before anything is deployed, and the
// checks that therefore cannot run there (said up front, instead of failing half-way).

/** What the global setup reads from the server (see {@link readServerFacts} in cluster-environment). */
export interface ServerFacts {
  /** `/version`: e.g. major "1", minor "20" (some distributions append "+"), gitVersion "v1.20.2". */
  readonly version: { readonly major: string; readonly minor: string; readonly gitVersion: string };
  /** `kubectl api-versions`: e.g. "policy/v1". */
  readonly apiVersions: readonly string[];
  /** Property names of the OpenAPI v2 definitions the manifests depend on, by definition name. */
  readonly schemaProperties: Readonly<Record<string, readonly string[]>>;
  /** Services in kube-system labelled k8s-app=kube-dns (CoreDNS and kube-dns both are). */
  readonly dnsServices: number;
  /** Nodes that accept pods (no NoSchedule taint, not cordoned). */
  readonly schedulableNodes: number;
}

export interface Capabilities {
  readonly version: string;
  /** Pod Security admission enforces namespace labels (beta and on by default from 1.23). */
  readonly podSecurityAdmission: boolean;
  /**
   * The kubelet reports how a deleted pod's containers ended before the pod goes away (the pod
   * lifecycle rework of 1.22; the 1.20 kubelet often deletes first).
   */
  readonly deletedPodExitStatus: boolean;
  /** A cluster DNS service answers for `*.svc.cluster.local`. */
  readonly clusterDns: boolean;
  readonly preStopSleep: boolean;
  readonly statefulSetMinReadySeconds: boolean;
  readonly statefulSetPvcRetentionPolicy: boolean;
  readonly podDisruptionBudgetV1: boolean;
  readonly pdbUnhealthyPodEvictionPolicy: boolean;
  readonly schedulableNodes: number;
}

/** OpenAPI definitions whose properties decide what the manifests can use as they are. */
export const SCHEMA_DEFINITIONS = {
  statefulSetSpec: 'io.k8s.api.apps.v1.StatefulSetSpec',
  /** Named Handler before 1.23. */
  lifecycleHandler: ['io.k8s.api.core.v1.LifecycleHandler', 'io.k8s.api.core.v1.Handler'],
  podDisruptionBudgetSpec: [
    'io.k8s.api.policy.v1.PodDisruptionBudgetSpec',
    'io.k8s.api.policy.v1beta1.PodDisruptionBudgetSpec',
  ],
} as const;

function hasProperty(facts: ServerFacts, definitions: string | readonly string[], name: string) {
  const names = typeof definitions === 'string' ? [definitions] : definitions;
  return names.some((d) => facts.schemaProperties[d]?.includes(name) ?? false);
}

function minorVersion(facts: ServerFacts): number {
  const minor = Number.parseInt(facts.version.minor, 10);
  if (facts.version.major !== '1' || Number.isNaN(minor)) {
    throw new Error(
      `cannot read the server version (major ${facts.version.major}, minor ${facts.version.minor}, ${facts.version.gitVersion})`,
    );
  }
  return minor;
}

export function capabilitiesOf(facts: ServerFacts): Capabilities {
  return {
    version: facts.version.gitVersion,
    podSecurityAdmission: minorVersion(facts) >= 23,
    deletedPodExitStatus: minorVersion(facts) >= 22,
    clusterDns: facts.dnsServices > 0,
    preStopSleep: hasProperty(facts, SCHEMA_DEFINITIONS.lifecycleHandler, 'sleep'),
    statefulSetMinReadySeconds: hasProperty(
      facts,
      SCHEMA_DEFINITIONS.statefulSetSpec,
      'minReadySeconds',
    ),
    statefulSetPvcRetentionPolicy: hasProperty(
      facts,
      SCHEMA_DEFINITIONS.statefulSetSpec,
      'persistentVolumeClaimRetentionPolicy',
    ),
    podDisruptionBudgetV1: facts.apiVersions.includes('policy/v1'),
    pdbUnhealthyPodEvictionPolicy: hasProperty(
      facts,
      SCHEMA_DEFINITIONS.podDisruptionBudgetSpec,
      'unhealthyPodEvictionPolicy',
    ),
    schedulableNodes: facts.schedulableNodes,
  };
}

/** A check of the suite that this cluster cannot support, and why. */
export interface SkippedCheck {
  readonly check: string;
  readonly reason: string;
}

export const CHECKS = {
  podSecurity: 'the namespace refuses a pod that violates the restricted profile',
  dns: 'every pod’s stable DNS name resolves from another pod',
  spread: 'the pods spread over more than one node',
  fleet: 'GET /fleet on every pod lists every pod with the count it holds',
  deletedPodExitStatus: 'the kubelet reports exit code 0 for a deleted pod',
  networkPolicy:
    'the NetworkPolicy lets a pod reach its peers’ service port through cluster DNS, and not their ops port',
} as const;

/** The skipped check when the network plugin ignored a deny-all policy (see network-policy.ts). */
export function networkPolicyNotEnforced(waitSeconds: number): SkippedCheck {
  return {
    check: CHECKS.networkPolicy,
    reason: `a deny-all NetworkPolicy did not stop one pod reaching another within ${waitSeconds}s: the cluster's network plugin does not enforce NetworkPolicy (the product's policy is applied all the same, and the API server accepted it)`,
  };
}

/** Checks of the suite that cannot run on a cluster with these capabilities, with the reason. */
export function skippedChecks(c: Capabilities): SkippedCheck[] {
  const skipped: SkippedCheck[] = [];
  if (!c.podSecurityAdmission) {
    skipped.push({
      check: CHECKS.podSecurity,
      reason: `Kubernetes ${c.version} has no Pod Security admission (beta and enabled by default from 1.23): namespace labels are not enforced`,
    });
  }
  if (!c.deletedPodExitStatus) {
    skipped.push({
      check: CHECKS.deletedPodExitStatus,
      reason: `the Kubernetes ${c.version} kubelet does not reliably report a deleted pod's final container state (it did in some runs, not in others); the service's own last log line (stopped, exit code 0) and the end of its log stream are checked instead`,
    });
  }
  if (!c.clusterDns) {
    skipped.push({
      check: CHECKS.dns,
      reason:
        'the cluster has no DNS service (no Service labelled k8s-app=kube-dns in kube-system); the headless Service’s records are checked instead',
    });
    skipped.push({
      check: CHECKS.fleet,
      reason:
        'the cluster has no DNS service (no Service labelled k8s-app=kube-dns in kube-system): FLEET_DNS cannot resolve the headless Service',
    });
  }
  if (c.schedulableNodes < 2) {
    skipped.push({
      check: CHECKS.spread,
      reason: `the cluster has ${c.schedulableNodes} schedulable node(s)`,
    });
  }
  return skipped;
}

export function skipReason(skipped: readonly SkippedCheck[], check: string): string | undefined {
  return skipped.find((s) => s.check === check)?.reason;
}
