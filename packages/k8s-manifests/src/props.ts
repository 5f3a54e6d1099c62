import type { IIoK8sApiCoreV1ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { IIoK8sApiNetworkingV1NetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import { VisitsPropsError } from './errors.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export type ImagePullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export type AccessMode = 'ReadWriteOnce' | 'ReadWriteOncePod';
export type PodManagementPolicy = 'Parallel' | 'OrderedReady';
export type ClientServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';
export type RetentionAction = 'Retain' | 'Delete';
export type WhenUnsatisfiable = 'ScheduleAnyway' | 'DoNotSchedule';

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
  /** Size of each pod's volume, a Kubernetes quantity. @default '1Gi' */
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
  /** Port the container listens on (`PORT`); at least 1024 since the container may not bind lower. @default 3000 */
  readonly port?: number;
  /** Port of the client Service. @default 80 */
  readonly clientServicePort?: number;
  /** `TIMEZONE`: an IANA time zone name. @default 'UTC' */
  readonly timezone?: string;
  /** `RECENT_VISITS`: 1–1000. @default 100 */
  readonly recentVisits?: number;
  /** `LOG_LEVEL`. @default 'info' */
  readonly logLevel?: LogLevel;
  /** `SHUTDOWN_TIMEOUT_MS`: the most a graceful shutdown may take, 1000–600000. @default 10000 */
  readonly shutdownTimeoutMs?: number;
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
  /** Render a NetworkPolicy: ingress only to the HTTP port, no egress at all. @default false */
  readonly networkPolicy?: boolean;
  /** Who may reach the HTTP port when `networkPolicy` is on. @default [] — any source */
  readonly networkPolicyIngressFrom?: readonly IIoK8sApiNetworkingV1NetworkPolicyPeer[];
}

/** The props with every default applied and every value checked. */
export interface ResolvedVisitsProps {
  readonly name: string;
  readonly namespace: string | undefined;
  readonly image: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly replicas: number;
  readonly storageSize: string;
  readonly storageClassName: string | undefined;
  readonly accessMode: AccessMode;
  readonly podManagementPolicy: PodManagementPolicy;
  readonly updateStrategy: UpdateStrategy;
  readonly pvcRetentionPolicy: Required<RetentionPolicy>;
  readonly minReadySeconds: number;
  readonly resources: IIoK8sApiCoreV1ResourceRequirements;
  readonly port: number;
  readonly clientServicePort: number;
  readonly timezone: string;
  readonly recentVisits: number;
  readonly logLevel: LogLevel;
  readonly shutdownTimeoutMs: number;
  readonly preStopSleepSeconds: number;
  readonly terminationGracePeriodSeconds: number;
  readonly startupTimeoutSeconds: number;
  readonly topologySpread: WhenUnsatisfiable;
  readonly clientServiceType: ClientServiceType;
  readonly prometheusScrapeAnnotations: boolean;
  readonly serviceMonitor: boolean;
  readonly serviceMonitorInterval: string;
  readonly serviceMonitorLabels: Readonly<Record<string, string>>;
  readonly networkPolicy: boolean;
  readonly networkPolicyIngressFrom: readonly IIoK8sApiNetworkingV1NetworkPolicyPeer[];
}

/** The uid and gid the image runs as (docs/contract.md); they also own the volume. */
export const IMAGE_UID = 10001;
/** Where the pod's own volume is mounted; the app reads it as `DATA_DIR`. */
export const DATA_DIR = '/data';
export const CONTAINER_NAME = 'visits';
export const DATA_VOLUME = 'data';
export const HTTP_PORT_NAME = 'http';
export const STARTUP_PROBE_PERIOD_SECONDS = 2;
/** Label that tells the two Services apart (the ServiceMonitor selects the headless one). */
export const SERVICE_ROLE_LABEL = 'stateful-visits/service';

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A positive storage quantity: digits with an optional fraction and a binary or decimal suffix.
const STORAGE_QUANTITY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const PROMETHEUS_DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;
// StatefulSet pods carry `controller-revision-hash: <name>-<10 chars>`, a label value of at most 63.
const MAX_NAME_LENGTH = 52;

function fail(message: string): never {
  throw new VisitsPropsError(message);
}

function integerIn(prop: string, value: number, min: number, max: number, hint: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `${min}–${max}`;
    fail(`${prop} must be an integer ${range}, got ${String(value)}: ${hint}`);
  }
  return value;
}

function oneOf<T extends string>(prop: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    fail(`${prop} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies the documented defaults and checks every value, so that a mistake fails here with a
 * message saying what to change rather than at `kubectl apply` or, worse, at pod startup.
 * @throws {VisitsPropsError}
 */
export function resolveVisitsProps(props: VisitsProps = {}): ResolvedVisitsProps {
  const name = props.name ?? 'visits';
  if (!DNS_1035_LABEL.test(name) || name.length > MAX_NAME_LENGTH) {
    fail(
      `name must be a lowercase DNS label of at most ${MAX_NAME_LENGTH} characters that starts with a letter ` +
        `(a-z, 0-9, '-'), got ${JSON.stringify(name)}: pick a shorter lowercase name such as 'visits'`,
    );
  }
  const namespace = props.namespace;
  if (namespace !== undefined && (!DNS_1123_LABEL.test(namespace) || namespace.length > 63)) {
    fail(
      `namespace must be a lowercase DNS label of at most 63 characters, got ${JSON.stringify(namespace)}: ` +
        'leave it unset to use the current namespace',
    );
  }

  const image = props.image ?? 'stateful-visits/visits:dev';
  if (image === '' || /\s/.test(image)) {
    fail(`image must be a non-empty image reference without spaces, got ${JSON.stringify(image)}`);
  }
  const imagePullPolicy = oneOf('imagePullPolicy', props.imagePullPolicy ?? 'IfNotPresent', [
    'Always',
    'IfNotPresent',
    'Never',
  ]);

  const replicas = integerIn(
    'replicas',
    props.replicas ?? 3,
    1,
    Number.MAX_SAFE_INTEGER,
    'set replicas to the number of pods to run; to stop every pod use `kubectl scale --replicas=0`',
  );

  const storageSize = props.storageSize ?? '1Gi';
  if (!STORAGE_QUANTITY.test(storageSize) || Number.parseFloat(storageSize) <= 0) {
    fail(
      `storageSize must be a positive Kubernetes quantity such as '1Gi' or '500Mi', got ${JSON.stringify(storageSize)}`,
    );
  }
  const storageClassName = props.storageClassName;
  if (storageClassName !== undefined && !DNS_1123_SUBDOMAIN.test(storageClassName)) {
    fail(
      `storageClassName must be the name of a StorageClass, got ${JSON.stringify(storageClassName)}: ` +
        'leave it unset to use the cluster default',
    );
  }
  const accessMode = oneOf('accessMode', props.accessMode ?? 'ReadWriteOnce', [
    'ReadWriteOnce',
    'ReadWriteOncePod',
  ]);
  const podManagementPolicy = oneOf(
    'podManagementPolicy',
    props.podManagementPolicy ?? 'Parallel',
    ['Parallel', 'OrderedReady'],
  );

  const strategy = props.updateStrategy ?? { type: 'RollingUpdate', partition: 0 };
  let updateStrategy: UpdateStrategy;
  if (strategy.type === 'RollingUpdate') {
    const partition = strategy.partition ?? 0;
    if (!Number.isInteger(partition) || partition < 0 || partition > replicas) {
      fail(
        `updateStrategy.partition must be an integer from 0 to replicas (${replicas}), got ${String(partition)}: ` +
          'pods with an ordinal ≥ partition are updated, so 0 updates all of them and replicas updates none',
      );
    }
    updateStrategy = { type: 'RollingUpdate', partition };
  } else if (strategy.type === 'OnDelete') {
    updateStrategy = { type: 'OnDelete' };
  } else {
    fail(
      `updateStrategy.type must be RollingUpdate or OnDelete, got ${JSON.stringify((strategy as { type: unknown }).type)}`,
    );
  }

  const pvcRetentionPolicy = {
    whenDeleted: oneOf(
      'pvcRetentionPolicy.whenDeleted',
      props.pvcRetentionPolicy?.whenDeleted ?? 'Retain',
      ['Retain', 'Delete'],
    ),
    whenScaled: oneOf(
      'pvcRetentionPolicy.whenScaled',
      props.pvcRetentionPolicy?.whenScaled ?? 'Retain',
      ['Retain', 'Delete'],
    ),
  };

  const minReadySeconds = integerIn(
    'minReadySeconds',
    props.minReadySeconds ?? 5,
    0,
    Number.MAX_SAFE_INTEGER,
    'use 0 to count a pod as available as soon as it is ready',
  );
  const resources = props.resources ?? {
    requests: { cpu: '100m', memory: '128Mi' },
    limits: { memory: '256Mi' },
  };

  const port = integerIn(
    'port',
    props.port ?? 3000,
    1024,
    65535,
    'the container runs as non-root with every capability dropped and cannot bind ports below 1024; ' +
      'keep it ≥ 1024 and set clientServicePort for the port clients use',
  );
  const clientServicePort = integerIn(
    'clientServicePort',
    props.clientServicePort ?? 80,
    1,
    65535,
    'the port clients connect to on the client Service',
  );

  const timezone = props.timezone ?? 'UTC';
  if (!isTimeZone(timezone)) {
    fail(
      `timezone must be an IANA time zone name such as 'UTC' or 'Europe/Berlin', got ${JSON.stringify(timezone)}`,
    );
  }
  const recentVisits = integerIn(
    'recentVisits',
    props.recentVisits ?? 100,
    1,
    1000,
    'the number of recent visit timestamps GET /visits can return',
  );
  const logLevel = oneOf('logLevel', props.logLevel ?? 'info', LOG_LEVELS);
  const shutdownTimeoutMs = integerIn(
    'shutdownTimeoutMs',
    props.shutdownTimeoutMs ?? 10_000,
    1000,
    600_000,
    'the most a graceful shutdown may take, in milliseconds',
  );
  const preStopSleepSeconds = integerIn(
    'preStopSleepSeconds',
    props.preStopSleepSeconds ?? 5,
    0,
    Number.MAX_SAFE_INTEGER,
    'use 0 for no preStop hook',
  );
  const drainSeconds = preStopSleepSeconds + Math.ceil(shutdownTimeoutMs / 1000);
  const terminationGracePeriodSeconds = props.terminationGracePeriodSeconds ?? drainSeconds + 5;
  if (
    !Number.isInteger(terminationGracePeriodSeconds) ||
    terminationGracePeriodSeconds < drainSeconds
  ) {
    fail(
      `terminationGracePeriodSeconds must be an integer ≥ ${drainSeconds} (preStopSleepSeconds ${preStopSleepSeconds} + ` +
        `shutdownTimeoutMs ${shutdownTimeoutMs} rounded up to seconds), got ${String(terminationGracePeriodSeconds)}: ` +
        'a shorter grace period kills the pod with SIGKILL before in-flight visits reach the disk; ' +
        'raise it or leave it unset',
    );
  }
  const startupTimeoutSeconds = integerIn(
    'startupTimeoutSeconds',
    props.startupTimeoutSeconds ?? 60,
    STARTUP_PROBE_PERIOD_SECONDS,
    Number.MAX_SAFE_INTEGER,
    'how long the store may take to open before the container is restarted',
  );

  const topologySpread = oneOf('topologySpread', props.topologySpread ?? 'ScheduleAnyway', [
    'ScheduleAnyway',
    'DoNotSchedule',
  ]);
  const clientServiceType = oneOf('clientServiceType', props.clientServiceType ?? 'ClusterIP', [
    'ClusterIP',
    'NodePort',
    'LoadBalancer',
  ]);

  const serviceMonitorInterval = props.serviceMonitorInterval ?? '30s';
  if (serviceMonitorInterval === '' || !PROMETHEUS_DURATION.test(serviceMonitorInterval)) {
    fail(
      `serviceMonitorInterval must be a Prometheus duration such as '30s' or '1m', got ${JSON.stringify(serviceMonitorInterval)}`,
    );
  }

  return {
    name,
    namespace,
    image,
    imagePullPolicy,
    replicas,
    storageSize,
    storageClassName,
    accessMode,
    podManagementPolicy,
    updateStrategy,
    pvcRetentionPolicy,
    minReadySeconds,
    resources,
    port,
    clientServicePort,
    timezone,
    recentVisits,
    logLevel,
    shutdownTimeoutMs,
    preStopSleepSeconds,
    terminationGracePeriodSeconds,
    startupTimeoutSeconds,
    topologySpread,
    clientServiceType,
    prometheusScrapeAnnotations: props.prometheusScrapeAnnotations ?? true,
    serviceMonitor: props.serviceMonitor ?? false,
    serviceMonitorInterval,
    serviceMonitorLabels: props.serviceMonitorLabels ?? {},
    networkPolicy: props.networkPolicy ?? false,
    networkPolicyIngressFrom: props.networkPolicyIngressFrom ?? [],
  };
}

/** Labels the StatefulSet selects its pods by; they never change for the life of the set. */
export function selectorLabels(p: ResolvedVisitsProps): Record<string, string> {
  return { 'app.kubernetes.io/name': 'visits', 'app.kubernetes.io/instance': p.name };
}

/** Labels on every object. */
export function commonLabels(p: ResolvedVisitsProps): Record<string, string> {
  return {
    ...selectorLabels(p),
    'app.kubernetes.io/component': 'server',
    'app.kubernetes.io/part-of': 'stateful-visits',
  };
}

/** Object names derived from `name`. */
export function objectNames(p: ResolvedVisitsProps) {
  return {
    statefulSet: p.name,
    headlessService: `${p.name}-headless`,
    clientService: p.name,
    configMap: `${p.name}-config`,
    serviceAccount: p.name,
    podDisruptionBudget: p.name,
    networkPolicy: p.name,
    serviceMonitor: p.name,
  } as const;
}

/** `metadata` for a namespaced object: name, namespace when set, common labels. */
export function objectMeta(
  p: ResolvedVisitsProps,
  name: string,
  extraLabels: Readonly<Record<string, string>> = {},
) {
  return {
    name,
    ...(p.namespace === undefined ? {} : { namespace: p.namespace }),
    labels: { ...commonLabels(p), ...extraLabels },
  };
}
