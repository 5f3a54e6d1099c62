// Over 350 lines on purpose: every prop's default and check in one pass, in the order of props.ts,
// so a reader checks one against the other line by line; the environment-backed ones defer to the
// contract. Split candidates when it grows: storage sizing, the environment props.
import {
  FULL_JOURNAL_VOLUME_BYTES,
  JOURNAL_MAX_BYTES,
  VOLUME_MARGIN_BYTES,
  peakStoreBytes,
  binaryQuantity,
  canonicalTimeZone,
  ACCESS_LOG_MODES,
  environment,
  LOG_LEVELS,
  minJournalBytes,
  minVolumeBytes,
  type IntegerSpec,
} from '@stateful-visits/visits-contract';
import { VisitsPropsError } from './errors.js';
import {
  ACCESS_MODES,
  CLIENT_SERVICE_TYPES,
  IMAGE_PULL_POLICIES,
  POD_MANAGEMENT_POLICIES,
  RETENTION_ACTIONS,
  WHEN_UNSATISFIABLE,
  type ResolvedVisitsProps,
  type UpdateStrategy,
  type VisitsProps,
} from './props.js';
import { isPrometheusDuration } from './prometheus-duration.js';
import { STARTUP_PROBE_PERIOD_SECONDS } from './stateful-set.js';

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// A positive storage quantity: digits with an optional fraction and a binary or decimal suffix.
const STORAGE_QUANTITY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
const QUANTITY_UNITS: Readonly<Record<string, number>> = {
  '': 1,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The bytes a storage quantity (one STORAGE_QUANTITY accepts) stands for. */
export function quantityBytes(quantity: string): number {
  const match = STORAGE_QUANTITY.exec(quantity);
  if (match === null) throw new RangeError(`not a storage quantity: ${quantity}`);
  return Number(match[1]) * QUANTITY_UNITS[match[3] ?? '']!;
}
// StatefulSet pods carry `controller-revision-hash: <name>-<10 chars>`, a label value of at most 63.
const MAX_NAME_LENGTH = 52;
// The container runs as non-root with every capability dropped: no port below this one.
const FIRST_UNPRIVILEGED_PORT = 1024;

type Range = Pick<IntegerSpec, 'min' | 'max'>;
const atLeast = (min: number): Range => ({ min, max: Number.MAX_SAFE_INTEGER });

function fail(message: string): never {
  throw new VisitsPropsError(message);
}

function integerIn(prop: string, value: number, { min, max }: Range, hint: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `${min}–${max}`;
    fail(`${prop} must be an integer ${range}, got ${String(value)}: ${hint}`);
  }
  return value;
}

/** A prop that becomes one of the service's environment variables: the contract's range and default. */
function envInteger(prop: string, value: number | undefined, spec: IntegerSpec, hint: string) {
  return integerIn(prop, value ?? spec.default, spec, hint);
}

function oneOf<T extends string>(prop: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    fail(`${prop} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** `value` unless `ok` is false: then `<prop> must be <expected>, got <value>[: <hint>]`. */
function matching(prop: string, value: string, ok: boolean, expected: string, hint?: string) {
  if (!ok) {
    fail(`${prop} must be ${expected}, got ${JSON.stringify(value)}${hint ? `: ${hint}` : ''}`);
  }
  return value;
}

function resolveName(props: VisitsProps): Pick<ResolvedVisitsProps, 'name' | 'namespace'> {
  const name = props.name ?? 'visits';
  matching(
    'name',
    name,
    DNS_1035_LABEL.test(name) && name.length <= MAX_NAME_LENGTH,
    `a lowercase DNS label of at most ${MAX_NAME_LENGTH} characters that starts with a letter ` +
      `(a-z, 0-9, '-')`,
    "pick a shorter lowercase name such as 'visits'",
  );
  const namespace = props.namespace;
  if (namespace !== undefined) {
    matching(
      'namespace',
      namespace,
      DNS_1123_LABEL.test(namespace) && namespace.length <= 63,
      'a lowercase DNS label of at most 63 characters',
      'leave it unset to use the current namespace',
    );
  }
  return { name, namespace };
}

function resolveUpdateStrategy(props: VisitsProps, replicas: number): UpdateStrategy {
  const strategy = props.updateStrategy ?? { type: 'RollingUpdate', partition: 0 };
  if (strategy.type === 'OnDelete') return { type: 'OnDelete' };
  if (strategy.type !== 'RollingUpdate') {
    fail(
      `updateStrategy.type must be RollingUpdate or OnDelete, got ${JSON.stringify((strategy as { type: unknown }).type)}`,
    );
  }
  const partition = strategy.partition ?? 0;
  if (!Number.isInteger(partition) || partition < 0 || partition > replicas) {
    fail(
      `updateStrategy.partition must be an integer from 0 to replicas (${replicas}), got ${String(partition)}: ` +
        'pods with an ordinal ≥ partition are updated, so 0 updates all of them and replicas updates none',
    );
  }
  return { type: 'RollingUpdate', partition };
}

/**
 * The pod's storage: size, class, access mode and what happens to the claims. The size must hold
 * the store for `recentVisits` (the contract's minVolumeBytes, the figure the service itself
 * refuses to start below).
 */
function resolveStorage(props: VisitsProps, recentVisits: number) {
  const storageSize = props.storageSize ?? '1Gi';
  matching(
    'storageSize',
    storageSize,
    STORAGE_QUANTITY.test(storageSize) && Number.parseFloat(storageSize) > 0,
    "a positive Kubernetes quantity such as '1Gi' or '500Mi'",
  );
  const minimum = minVolumeBytes(recentVisits);
  matching(
    'storageSize',
    storageSize,
    quantityBytes(storageSize) >= minimum,
    `at least ${binaryQuantity(minimum)} for recentVisits ${recentVisits}`,
    `the store keeps two journals of at least ${binaryQuantity(minJournalBytes(recentVisits))} ` +
      `(a compaction writes one while the other is in use), its visits file and a ` +
      `${binaryQuantity(VOLUME_MARGIN_BYTES)} margin, and refuses to start on less (docs/deployment.md, ` +
      `"How big a volume"); from ${binaryQuantity(FULL_JOURNAL_VOLUME_BYTES)} on it never uses more than ` +
      `${binaryQuantity(peakStoreBytes(JOURNAL_MAX_BYTES))}, so a larger size buys only headroom`,
  );
  const storageClassName = props.storageClassName;
  if (storageClassName !== undefined) {
    matching(
      'storageClassName',
      storageClassName,
      DNS_1123_SUBDOMAIN.test(storageClassName),
      'the name of a StorageClass',
      'leave it unset to use the cluster default',
    );
  }
  const retention = props.pvcRetentionPolicy;
  return {
    storageSize,
    storageClassName,
    accessMode: oneOf('accessMode', props.accessMode ?? 'ReadWriteOnce', ACCESS_MODES),
    pvcRetentionPolicy: {
      whenDeleted: oneOf(
        'pvcRetentionPolicy.whenDeleted',
        retention?.whenDeleted ?? 'Retain',
        RETENTION_ACTIONS,
      ),
      whenScaled: oneOf(
        'pvcRetentionPolicy.whenScaled',
        retention?.whenScaled ?? 'Retain',
        RETENTION_ACTIONS,
      ),
    },
  };
}

/** The props that become the service's environment, checked by the service contract. */
function resolveEnvironment(props: VisitsProps) {
  const env = environment;
  const port = integerIn(
    'port',
    props.port ?? env.PORT.default,
    { min: Math.max(FIRST_UNPRIVILEGED_PORT, env.PORT.min), max: env.PORT.max },
    'the container runs as non-root with every capability dropped and cannot bind ports below 1024; ' +
      'keep it ≥ 1024 and set clientServicePort for the port clients use',
  );
  const opsPort = integerIn(
    'opsPort',
    props.opsPort ?? env.OPS_PORT.default,
    { min: Math.max(FIRST_UNPRIVILEGED_PORT, env.OPS_PORT.min), max: env.OPS_PORT.max },
    'the port of /metrics and /health/*; the container cannot bind ports below 1024',
  );
  if (opsPort === port) {
    fail(
      `opsPort must differ from port (both are ${port}): /metrics and /health/* get a port of their own, ` +
        'which the client Service does not expose',
    );
  }
  const given = props.timezone ?? env.TIMEZONE.default;
  // Spelled as the IANA database spells it (`europe/berlin` → `Europe/Berlin`), as the service would.
  const timezone = canonicalTimeZone(given) ?? given;
  matching(
    'timezone',
    given,
    canonicalTimeZone(given) !== undefined,
    "an IANA time zone name such as 'UTC' or 'Europe/Berlin'",
  );
  return {
    port,
    opsPort,
    timezone,
    recentVisits: envInteger(
      'recentVisits',
      props.recentVisits,
      env.RECENT_VISITS,
      'the number of recent visit timestamps GET /visits can return',
    ),
    logLevel: oneOf('logLevel', props.logLevel ?? env.LOG_LEVEL.default, LOG_LEVELS),
    accessLog: oneOf('accessLog', props.accessLog ?? env.ACCESS_LOG.default, ACCESS_LOG_MODES),
    slowRequestMs: envInteger(
      'slowRequestMs',
      props.slowRequestMs,
      env.SLOW_REQUEST_MS,
      'requests slower than this many milliseconds are logged whatever accessLog says',
    ),
    shutdownTimeoutMs: envInteger(
      'shutdownTimeoutMs',
      props.shutdownTimeoutMs,
      env.SHUTDOWN_TIMEOUT_MS,
      'the most a graceful shutdown may take, in milliseconds',
    ),
    corsOrigins: resolveCorsOrigins(props.corsOrigins ?? []),
  };
}

/** `corsOrigins`, checked by the contract's `CORS_ORIGINS` and spelled as the service reads them. */
function resolveCorsOrigins(origins: readonly string[]): readonly string[] {
  if (origins.length === 0) return [];
  const parsed = environment.CORS_ORIGINS.schema.safeParse(origins.join(','));
  if (!parsed.success) {
    const problem = parsed.error.issues[0]?.message ?? 'is not valid';
    fail(
      `corsOrigins ${problem.replace(/^must be \* or a comma-separated list/, "must be ['*'] or a list")}`,
    );
  }
  return parsed.data === '*' ? ['*'] : parsed.data;
}

/** preStop sleep and grace period: together they must let every in-flight visit reach the disk. */
function resolveTermination(props: VisitsProps, shutdownTimeoutMs: number) {
  const preStopSleepSeconds = integerIn(
    'preStopSleepSeconds',
    props.preStopSleepSeconds ?? 5,
    atLeast(0),
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
  return { preStopSleepSeconds, terminationGracePeriodSeconds };
}

/**
 * Applies the documented defaults and checks every value, so that a mistake fails here with a
 * message saying what to change rather than at `kubectl apply` or, worse, at pod startup. The
 * props that become the service's environment are checked against the service contract
 * (`@stateful-visits/visits-contract`), the same ranges the service enforces at startup.
 * @throws {VisitsPropsError}
 */
export function resolveVisitsProps(props: VisitsProps = {}): ResolvedVisitsProps {
  const image = props.image ?? 'stateful-visits/visits:dev';
  matching(
    'image',
    image,
    image !== '' && !/\s/.test(image),
    'a non-empty image reference without spaces',
  );
  const replicas = integerIn(
    'replicas',
    props.replicas ?? 3,
    atLeast(1),
    'set replicas to the number of pods to run; to stop every pod use `kubectl scale --replicas=0`',
  );
  const env = resolveEnvironment(props);
  const serviceMonitorInterval = props.serviceMonitorInterval ?? '30s';
  matching(
    'serviceMonitorInterval',
    serviceMonitorInterval,
    isPrometheusDuration(serviceMonitorInterval),
    "a Prometheus duration such as '30s' or '1m'",
  );

  return {
    ...resolveName(props),
    image,
    imagePullPolicy: oneOf(
      'imagePullPolicy',
      props.imagePullPolicy ?? 'IfNotPresent',
      IMAGE_PULL_POLICIES,
    ),
    replicas,
    ...resolveStorage(props, env.recentVisits),
    podManagementPolicy: oneOf(
      'podManagementPolicy',
      props.podManagementPolicy ?? 'Parallel',
      POD_MANAGEMENT_POLICIES,
    ),
    updateStrategy: resolveUpdateStrategy(props, replicas),
    minReadySeconds: integerIn(
      'minReadySeconds',
      props.minReadySeconds ?? 5,
      atLeast(0),
      'use 0 to count a pod as available as soon as it is ready',
    ),
    resources: props.resources ?? {
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    },
    ...env,
    clientServicePort: integerIn(
      'clientServicePort',
      props.clientServicePort ?? 80,
      { min: 1, max: 65535 },
      'the port clients connect to on the client Service',
    ),
    ...resolveTermination(props, env.shutdownTimeoutMs),
    startupTimeoutSeconds: integerIn(
      'startupTimeoutSeconds',
      props.startupTimeoutSeconds ?? 60,
      atLeast(STARTUP_PROBE_PERIOD_SECONDS),
      'how long the store may take to open before the container is restarted',
    ),
    topologySpread: oneOf(
      'topologySpread',
      props.topologySpread ?? 'ScheduleAnyway',
      WHEN_UNSATISFIABLE,
    ),
    clientServiceType: oneOf(
      'clientServiceType',
      props.clientServiceType ?? 'ClusterIP',
      CLIENT_SERVICE_TYPES,
    ),
    prometheusScrapeAnnotations: props.prometheusScrapeAnnotations ?? true,
    serviceMonitor: props.serviceMonitor ?? false,
    serviceMonitorInterval,
    serviceMonitorLabels: props.serviceMonitorLabels ?? {},
    prometheusRule: props.prometheusRule ?? false,
    prometheusRuleLabels: props.prometheusRuleLabels ?? {},
    networkPolicy: props.networkPolicy ?? false,
    networkPolicyIngressFrom: props.networkPolicyIngressFrom ?? [],
    networkPolicyOpsIngressFrom: props.networkPolicyOpsIngressFrom ?? [],
    fleet: props.fleet ?? true,
    clusterDomain: matching(
      'clusterDomain',
      props.clusterDomain ?? 'cluster.local',
      DNS_1123_SUBDOMAIN.test(props.clusterDomain ?? 'cluster.local'),
      "a DNS domain such as 'cluster.local' (the kubelet's --cluster-domain)",
    ),
  };
}
