import {
  environment,
  HEALTH_PATHS,
  IMAGE_DATA_DIR,
  IMAGE_GID,
  IMAGE_UID,
  METRICS_PATH,
} from '@stateful-visits/visits-contract';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IIoK8sApiAppsV1StatefulSetUpdateStrategy } from 'kubernetes-models/apps/v1/StatefulSetUpdateStrategy';
import type { IIoK8sApiCoreV1Container } from 'kubernetes-models/v1/Container';
import type { IIoK8sApiCoreV1PodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import { configChecksum, configMapData } from './config-map.js';
import {
  commonLabels,
  CONTAINER_NAME,
  DATA_VOLUME,
  fleetDnsName,
  HTTP_PORT_NAME,
  OPS_PORT_NAME,
  objectMeta,
  objectNames,
  POD_NAMESPACE_VARIABLE,
  selectorLabels,
} from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/** Pod template annotation holding the sha256 of the ConfigMap data. */
export const CONFIG_CHECKSUM_ANNOTATION = 'checksum/config';
const TMP_VOLUME = 'tmp';
/** How often the startup probe asks; `startupTimeoutSeconds` is a whole number of these. */
export const STARTUP_PROBE_PERIOD_SECONDS = 2;

/** Pod-level security: Pod Security Standards `restricted`, plus volume ownership for the uid. */
function podSecurityContext(): IIoK8sApiCoreV1PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: IMAGE_UID,
    runAsGroup: IMAGE_GID,
    // The volume is made group-owned by the image's gid; OnRootMismatch skips the recursive
    // chown on every start once the root of the volume already has the right owner.
    fsGroup: IMAGE_GID,
    fsGroupChangePolicy: 'OnRootMismatch',
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

function updateStrategy(p: ResolvedVisitsProps): IIoK8sApiAppsV1StatefulSetUpdateStrategy {
  const s = p.updateStrategy;
  return s.type === 'OnDelete'
    ? { type: 'OnDelete' }
    : { type: 'RollingUpdate', rollingUpdate: { partition: s.partition ?? 0 } };
}

function container(p: ResolvedVisitsProps): IIoK8sApiCoreV1Container {
  // The probes ask the ops port: the service port has no health routes.
  const httpGet = (path: string) => ({ path, port: OPS_PORT_NAME, scheme: 'HTTP' as const });
  return {
    name: CONTAINER_NAME,
    image: p.image,
    imagePullPolicy: p.imagePullPolicy,
    ports: [
      { name: HTTP_PORT_NAME, containerPort: p.port, protocol: 'TCP' },
      { name: OPS_PORT_NAME, containerPort: p.opsPort, protocol: 'TCP' },
    ],
    envFrom: [{ configMapRef: { name: objectNames(p).configMap } }],
    env: [
      {
        name: environment.POD_NAME.name,
        valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
      },
      { name: environment.DATA_DIR.name, value: IMAGE_DATA_DIR },
      // Tied to the pod's namespace, so set here rather than in the ConfigMap; Kubernetes expands
      // $(POD_NAMESPACE) because it is defined above FLEET_DNS.
      ...(p.fleet
        ? [
            {
              name: POD_NAMESPACE_VARIABLE,
              valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
            },
            { name: environment.FLEET_DNS.name, value: fleetDnsName(p) },
          ]
        : []),
    ],
    volumeMounts: [
      { name: DATA_VOLUME, mountPath: IMAGE_DATA_DIR },
      { name: TMP_VOLUME, mountPath: '/tmp' },
    ],
    // Startup covers opening the store (journal replay); liveness and readiness only begin
    // once it has passed, so a slow start is never mistaken for a hung process.
    startupProbe: {
      httpGet: httpGet(HEALTH_PATHS.startup),
      periodSeconds: STARTUP_PROBE_PERIOD_SECONDS,
      timeoutSeconds: 2,
      failureThreshold: Math.ceil(p.startupTimeoutSeconds / STARTUP_PROBE_PERIOD_SECONDS),
    },
    livenessProbe: {
      httpGet: httpGet(HEALTH_PATHS.live),
      periodSeconds: 10,
      timeoutSeconds: 3,
      failureThreshold: 3,
    },
    readinessProbe: {
      httpGet: httpGet(HEALTH_PATHS.ready),
      periodSeconds: 5,
      timeoutSeconds: 2,
      failureThreshold: 2,
      successThreshold: 1,
    },
    // Endpoint removal reaches kube-proxy and load balancers asynchronously; sleeping before
    // SIGTERM keeps serving the requests that still arrive meanwhile.
    ...(p.preStopSleepSeconds > 0
      ? { lifecycle: { preStop: { sleep: { seconds: p.preStopSleepSeconds } } } }
      : {}),
    resources: p.resources,
    securityContext: {
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      runAsNonRoot: true,
      capabilities: { drop: ['ALL'] },
    },
    terminationMessagePolicy: 'FallbackToLogsOnError',
  };
}

/**
 * The StatefulSet: one pod per ordinal, each with its own PersistentVolumeClaim `data-<pod>`
 * mounted at `/data`, addressed through the headless Service.
 */
export function visitsStatefulSet(p: ResolvedVisitsProps): StatefulSet {
  const names = objectNames(p);
  const annotations: Record<string, string> = {
    [CONFIG_CHECKSUM_ANNOTATION]: configChecksum(configMapData(p)),
  };
  if (p.prometheusScrapeAnnotations) {
    annotations['prometheus.io/scrape'] = 'true';
    annotations['prometheus.io/port'] = String(p.opsPort);
    annotations['prometheus.io/path'] = METRICS_PATH;
  }

  return new StatefulSet({
    metadata: objectMeta(p, names.statefulSet),
    spec: {
      serviceName: names.headlessService,
      replicas: p.replicas,
      podManagementPolicy: p.podManagementPolicy,
      updateStrategy: updateStrategy(p),
      persistentVolumeClaimRetentionPolicy: { ...p.pvcRetentionPolicy },
      minReadySeconds: p.minReadySeconds,
      selector: { matchLabels: selectorLabels(p) },
      template: {
        metadata: { labels: commonLabels(p), annotations },
        spec: {
          serviceAccountName: names.serviceAccount,
          automountServiceAccountToken: false,
          // Service links would inject e.g. VISITS_PORT=tcp://… into the environment; the
          // service reads its configuration from the ConfigMap only.
          enableServiceLinks: false,
          securityContext: podSecurityContext(),
          terminationGracePeriodSeconds: p.terminationGracePeriodSeconds,
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'kubernetes.io/hostname',
              whenUnsatisfiable: p.topologySpread,
              labelSelector: { matchLabels: selectorLabels(p) },
            },
          ],
          containers: [container(p)],
          // The root filesystem is read-only; /tmp is the one scratch directory.
          volumes: [{ name: TMP_VOLUME, emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: DATA_VOLUME, labels: selectorLabels(p) },
          spec: {
            accessModes: [p.accessMode],
            ...(p.storageClassName === undefined ? {} : { storageClassName: p.storageClassName }),
            resources: { requests: { storage: p.storageSize } },
          },
        },
      ],
    },
  });
}
