// The props of the visits manifests: what a user may set, each with its default. Applying the
// defaults and checking the values is resolve-props.ts; object names and labels are naming.ts.
import type { AccessLogMode, LogLevel } from '@stateful-visits/visits-contract';
import type { IIoK8sApiCoreV1ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IIoK8sApiNetworkingV1NetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';

export type { AccessLogMode, LogLevel };

// The values each enumerated prop accepts; the types are derived from them.
export const IMAGE_PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;
export const ACCESS_MODES = ['ReadWriteOnce', 'ReadWriteOncePod'] as const;
export const POD_MANAGEMENT_POLICIES = ['Parallel', 'OrderedReady'] as const;
export const CLIENT_SERVICE_TYPES = ['ClusterIP', 'NodePort', 'LoadBalancer'] as const;
export const RETENTION_ACTIONS = ['Retain', 'Delete'] as const;
export const WHEN_UNSATISFIABLE = ['ScheduleAnyway', 'DoNotSchedule'] as const;

export type ImagePullPolicy = (typeof IMAGE_PULL_POLICIES)[number];
export type AccessMode = (typeof ACCESS_MODES)[number];
export type PodManagementPolicy = (typeof POD_MANAGEMENT_POLICIES)[number];
export type ClientServiceType = (typeof CLIENT_SERVICE_TYPES)[number];
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];
export type WhenUnsatisfiable = (typeof WHEN_UNSATISFIABLE)[number];

/**
 * How changes to the pod template reach the pods.
 * - `RollingUpdate`: pods with an ordinal ≥ `partition` are replaced one at a time, highest
 *   ordinal first; a partition above 0 is a canary that leaves the lower ordinals alone.
 * - `OnDelete`: nothing is replaced until you delete a pod yourself.
 */
export type UpdateStrategy =
  { readonly type: 'RollingUpdate'; readonly partition?: number } | { readonly type: 'OnDelete' };

/** What happens to the PersistentVolumeClaims when the StatefulSet is deleted or scaled down. */
export interface RetentionPolicy {
  /** @default 'Retain' */
  readonly whenDeleted?: RetentionAction;
  /** @default 'Retain' */
  readonly whenScaled?: RetentionAction;
}

/** Everything the visits manifests can be configured with. Every field is optional. */
export interface VisitsProps {
  /**
   * Name of the StatefulSet and prefix of every object: pods are `<name>-0`, `<name>-1`, …,
   * the headless Service is `<name>-headless`, the claims `data-<name>-N`.
   * @default 'visits'
   */
  readonly name?: string;
  /**
   * Namespace of every object. When set, a Namespace object that enforces the Pod Security
   * Standards `restricted` profile is rendered too.
   * @default undefined — no namespace: kubectl's current one or a kustomize `namespace:` decides
   */
  readonly namespace?: string;
  /** @default 'stateful-visits/visits:dev' */
  readonly image?: string;
  /** @default 'IfNotPresent' */
  readonly imagePullPolicy?: ImagePullPolicy;
  /** @default 3 */
  readonly replicas?: number;
  /**
   * Size of each pod's volume, a Kubernetes quantity: at least the store's minimum for
   * `recentVisits` (36Ki for the default 100; docs/deployment.md has the table). The store never
   * uses more than 2052Ki, so more buys only headroom.
   * @default '1Gi' — the smallest size many block-storage drivers provision
   */
  readonly storageSize?: string;
  /** @default undefined — the cluster's default StorageClass */
  readonly storageClassName?: string;
  /**
   * `ReadWriteOncePod` makes the volume usable by one pod only, cluster-wide (needs a CSI driver).
   * @default 'ReadWriteOnce'
   */
  readonly accessMode?: AccessMode;
  /** @default 'Parallel' — replicas do not depend on each other */
  readonly podManagementPolicy?: PodManagementPolicy;
  /** @default { type: 'RollingUpdate', partition: 0 } */
  readonly updateStrategy?: UpdateStrategy;
  /** @default { whenDeleted: 'Retain', whenScaled: 'Retain' } */
  readonly pvcRetentionPolicy?: RetentionPolicy;
  /** Seconds a new pod must stay ready before the rollout moves on. @default 5 */
  readonly minReadySeconds?: number;
  /**
   * @default { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } } — no CPU
   * limit, so a busy pod is not throttled while the node has spare CPU
   */
  readonly resources?: IIoK8sApiCoreV1ResourceRequirements;
  /**
   * Port the container listens on (`PORT`): the contract's range, but at least 1024 since the
   * container may not bind lower.
   * @default 3000 — the contract's default
   */
  readonly port?: number;
  /**
   * Port of /metrics, /health/* and /version (`OPS_PORT`): the probes, the scrape annotations and
   * the ServiceMonitor use it; the headless Service lists it, the client Service does not. At least
   * 1024, and not `port`.
   * @default 8081 — the contract's default
   */
  readonly opsPort?: number;
  /** Port of the client Service. @default 80 */
  readonly clientServicePort?: number;
  /** `TIMEZONE`: an IANA time zone name. @default 'UTC' — the contract's default */
  readonly timezone?: string;
  /** `RECENT_VISITS`: the contract's range (1 to `MAX_RECENT`). @default 100 — the contract's default */
  readonly recentVisits?: number;
  /** `LOG_LEVEL`: one of the contract's `LOG_LEVELS`. @default 'info' — the contract's default */
  readonly logLevel?: LogLevel;
  /**
   * `ACCESS_LOG`: `all` logs every request; `errors` only answers ≥ 500 and requests slower than
   * `slowRequestMs` (the production overlay's setting). @default 'all' — the contract's default
   */
  readonly accessLog?: AccessLogMode;
  /** `SLOW_REQUEST_MS`: the contract's range. @default 500 — the contract's default */
  readonly slowRequestMs?: number;
  /**
   * `SHUTDOWN_TIMEOUT_MS`: the most a graceful shutdown may take, in the contract's range
   * (1000–600000). @default 10000 — the contract's default
   */
  readonly shutdownTimeoutMs?: number;
  /**
   * `CORS_ORIGINS`: the origins whose pages may call `GET /`, `GET /visits` and `POST /visits`
   * from a browser, each `scheme://host[:port]` (`https://example.com`), or `['*']` for any.
   * @default [] — CORS off (the variable is not set)
   */
  readonly corsOrigins?: readonly string[];
  /**
   * Seconds the preStop hook sleeps before SIGTERM, so endpoints and load balancers stop sending
   * traffic before the process starts draining. 0 renders no hook.
   * @default 5
   */
  readonly preStopSleepSeconds?: number;
  /**
   * Must cover the preStop sleep plus the shutdown timeout.
   * @default preStopSleepSeconds + ceil(shutdownTimeoutMs / 1000) + 5
   */
  readonly terminationGracePeriodSeconds?: number;
  /** How long the startup probe waits for the store to open (journal replay) before restarting. @default 60 */
  readonly startupTimeoutSeconds?: number;
  /** Whether spreading the pods across nodes is a preference or a rule. @default 'ScheduleAnyway' */
  readonly topologySpread?: WhenUnsatisfiable;
  /** @default 'ClusterIP' */
  readonly clientServiceType?: ClientServiceType;
  /** `prometheus.io/scrape|port|path` annotations on the pods. @default true */
  readonly prometheusScrapeAnnotations?: boolean;
  /** Render a prometheus-operator ServiceMonitor (needs its CRD in the cluster). @default false */
  readonly serviceMonitor?: boolean;
  /** Scrape interval of the ServiceMonitor, a Prometheus duration. @default '30s' */
  readonly serviceMonitorInterval?: string;
  /** Extra labels on the ServiceMonitor, e.g. the one your Prometheus selects on. @default {} */
  readonly serviceMonitorLabels?: Readonly<Record<string, string>>;
  /**
   * Render the alerting and recording rules as a prometheus-operator PrometheusRule (needs its
   * CRD), for the job the ServiceMonitor scrapes (`job="<name>"`). @default false
   */
  readonly prometheusRule?: boolean;
  /**
   * Extra labels on the PrometheusRule, e.g. the one your Prometheus' `ruleSelector` matches
   * (kube-prometheus-stack: `release: <its release>`). @default {}
   */
  readonly prometheusRuleLabels?: Readonly<Record<string, string>>;
  /**
   * Render a NetworkPolicy: ingress only to the two ports; egress only what the fleet view needs
   * (DNS to the cluster DNS, the StatefulSet's own pods on the service port), none without it.
   * @default false
   */
  readonly networkPolicy?: boolean;
  /** Who may reach the service port when `networkPolicy` is on. @default [] — any source */
  readonly networkPolicyIngressFrom?: readonly IIoK8sApiNetworkingV1NetworkPolicyPeer[];
  /**
   * Who may reach the ops port (metrics, probes, version) when `networkPolicy` is on: your
   * Prometheus, say. The kubelet's probes are not subject to NetworkPolicies.
   * @default [] — any source
   */
  readonly networkPolicyOpsIngressFrom?: readonly IIoK8sApiNetworkingV1NetworkPolicyPeer[];
  /**
   * The fleet view (`GET /fleet`, the chart on the page): each pod asks the others for their
   * counts, found through the headless Service's DNS name (`FLEET_DNS`). Off, the pods open no
   * connection at all and the NetworkPolicy allows no egress.
   * @default true
   */
  readonly fleet?: boolean;
  /** The cluster's DNS domain, the last part of `FLEET_DNS`. @default 'cluster.local' */
  readonly clusterDomain?: string;
}

/** Props that stay optional once resolved: unset means "the cluster decides". */
type Unset = 'namespace' | 'storageClassName';

/** The props with every default applied and every value checked. */
export type ResolvedVisitsProps = {
  readonly [K in Exclude<keyof VisitsProps, Unset | 'pvcRetentionPolicy'>]-?: NonNullable<
    VisitsProps[K]
  >;
} & {
  readonly [K in Unset]: VisitsProps[K];
} & {
  readonly pvcRetentionPolicy: Required<RetentionPolicy>;
};
