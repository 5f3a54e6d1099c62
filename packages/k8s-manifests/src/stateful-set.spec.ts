import { describe, expect, it } from 'vitest';
import {
  mainContainer,
  matches,
  podSpec,
  podTemplate,
  render,
  statefulSetSpec,
} from '../test/support.js';
import { configChecksum } from './config-map.js';
import { CONFIG_CHECKSUM_ANNOTATION } from './stateful-set.js';

describe('visitsStatefulSet', () => {
  it('is governed by the headless Service, which gives each pod its DNS name', () => {
    const m = render();
    expect(m.statefulSet.spec?.serviceName).toBe(m.headlessService.metadata?.name);
    expect(m.statefulSet.spec?.serviceName).toBe('visits-headless');
  });

  it('selects the pods of its own template', () => {
    const spec = statefulSetSpec();
    expect(matches(spec.selector.matchLabels, spec.template.metadata?.labels)).toBe(true);
  });

  it('runs 3 replicas by default and the number asked for', () => {
    expect(statefulSetSpec().replicas).toBe(3);
    expect(statefulSetSpec({ replicas: 5 }).replicas).toBe(5);
  });

  it('finds the other pods for the fleet view through the headless Service, in its own namespace', () => {
    const env = mainContainer().env ?? [];
    const names = env.map((e) => e.name);
    expect(env).toContainEqual({
      name: 'POD_NAMESPACE',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
    });
    expect(env).toContainEqual({
      name: 'FLEET_DNS',
      value: 'visits-headless.$(POD_NAMESPACE).svc.cluster.local',
    });
    // Kubernetes expands $(POD_NAMESPACE) only from a variable defined before it.
    expect(names.indexOf('POD_NAMESPACE')).toBeLessThan(names.indexOf('FLEET_DNS'));
    expect(mainContainer({ name: 'shop', clusterDomain: 'corp.example' }).env).toContainEqual({
      name: 'FLEET_DNS',
      value: 'shop-headless.$(POD_NAMESPACE).svc.corp.example',
    });
  });

  it('sets no fleet variables with the fleet view off', () => {
    const names = (mainContainer({ fleet: false }).env ?? []).map((e) => e.name);
    expect(names).toEqual(['POD_NAME', 'DATA_DIR']);
  });

  describe('volumeClaimTemplates', () => {
    it('gives each pod a ReadWriteOnce claim "data" of 1Gi from the default StorageClass', () => {
      const [claim, ...rest] = statefulSetSpec().volumeClaimTemplates ?? [];
      expect(rest).toEqual([]);
      expect(claim?.metadata?.name).toBe('data');
      expect(claim?.spec?.accessModes).toEqual(['ReadWriteOnce']);
      expect(claim?.spec?.resources?.requests).toEqual({ storage: '1Gi' });
      expect(claim?.spec).not.toHaveProperty('storageClassName');
    });

    it('takes size, storage class and ReadWriteOncePod from props', () => {
      const [claim] =
        statefulSetSpec({
          storageSize: '20Gi',
          storageClassName: 'fast-ssd',
          accessMode: 'ReadWriteOncePod',
        }).volumeClaimTemplates ?? [];
      expect(claim?.spec).toMatchObject({
        accessModes: ['ReadWriteOncePod'],
        storageClassName: 'fast-ssd',
        resources: { requests: { storage: '20Gi' } },
      });
    });

    it('mounts the claim at /data, which the app reads as DATA_DIR', () => {
      const c = mainContainer();
      expect(c.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
      expect(c.env).toContainEqual({ name: 'DATA_DIR', value: '/data' });
    });
  });

  it('starts pods in parallel by default, ordered when asked', () => {
    expect(statefulSetSpec().podManagementPolicy).toBe('Parallel');
    expect(statefulSetSpec({ podManagementPolicy: 'OrderedReady' }).podManagementPolicy).toBe(
      'OrderedReady',
    );
  });

  describe('updateStrategy', () => {
    it('rolls every pod by default', () => {
      expect(statefulSetSpec().updateStrategy).toEqual({
        type: 'RollingUpdate',
        rollingUpdate: { partition: 0 },
      });
    });

    it('holds ordinals below the partition back for a canary', () => {
      expect(
        statefulSetSpec({ updateStrategy: { type: 'RollingUpdate', partition: 2 } }).updateStrategy,
      ).toEqual({ type: 'RollingUpdate', rollingUpdate: { partition: 2 } });
    });

    it('renders OnDelete without rolling-update settings', () => {
      expect(statefulSetSpec({ updateStrategy: { type: 'OnDelete' } }).updateStrategy).toEqual({
        type: 'OnDelete',
      });
    });
  });

  it('keeps the claims when the set is deleted or scaled down, unless told otherwise', () => {
    expect(statefulSetSpec().persistentVolumeClaimRetentionPolicy).toEqual({
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    expect(
      statefulSetSpec({ pvcRetentionPolicy: { whenScaled: 'Delete' } })
        .persistentVolumeClaimRetentionPolicy,
    ).toEqual({ whenDeleted: 'Retain', whenScaled: 'Delete' });
  });

  it('waits minReadySeconds before counting a pod available', () => {
    expect(statefulSetSpec().minReadySeconds).toBe(5);
    expect(statefulSetSpec({ minReadySeconds: 30 }).minReadySeconds).toBe(30);
  });

  describe('probes', () => {
    it('probe the three health routes on the named ops port', () => {
      const c = mainContainer();
      expect(c.startupProbe?.httpGet).toMatchObject({ path: '/health/startup', port: 'ops' });
      expect(c.livenessProbe?.httpGet).toMatchObject({ path: '/health/live', port: 'ops' });
      expect(c.readinessProbe?.httpGet).toMatchObject({ path: '/health/ready', port: 'ops' });
      expect(c.ports).toEqual([
        { name: 'http', containerPort: 3000, protocol: 'TCP' },
        { name: 'ops', containerPort: 8081, protocol: 'TCP' },
      ]);
    });

    it('give the store startupTimeoutSeconds to open before a restart', () => {
      for (const startupTimeoutSeconds of [60, 61, 300]) {
        const probe = mainContainer({ startupTimeoutSeconds }).startupProbe;
        const budget = (probe?.periodSeconds ?? 0) * (probe?.failureThreshold ?? 0);
        expect(budget).toBeGreaterThanOrEqual(startupTimeoutSeconds);
        expect(budget).toBeLessThan(startupTimeoutSeconds + (probe?.periodSeconds ?? 0));
      }
    });

    it('take a pod out of the endpoints faster than they restart it', () => {
      const c = mainContainer();
      const readinessWindow =
        (c.readinessProbe?.periodSeconds ?? 0) * (c.readinessProbe?.failureThreshold ?? 0);
      const livenessWindow =
        (c.livenessProbe?.periodSeconds ?? 0) * (c.livenessProbe?.failureThreshold ?? 0);
      expect(readinessWindow).toBeLessThan(livenessWindow);
      for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
        expect(probe?.timeoutSeconds).toBeLessThanOrEqual(probe?.periodSeconds ?? 0);
      }
    });
  });

  describe('shutdown', () => {
    it('sleeps in preStop so endpoints are gone before SIGTERM', () => {
      expect(mainContainer().lifecycle?.preStop).toEqual({ sleep: { seconds: 5 } });
      expect(mainContainer({ preStopSleepSeconds: 0 })).not.toHaveProperty('lifecycle');
    });

    it('gives the preStop sleep plus the app drain (SHUTDOWN_TIMEOUT_MS) time before SIGKILL', () => {
      for (const props of [
        {},
        { shutdownTimeoutMs: 30_000 },
        { shutdownTimeoutMs: 2_500, preStopSleepSeconds: 0 },
        { preStopSleepSeconds: 15 },
      ]) {
        const m = render(props);
        const grace = m.statefulSet.spec?.template.spec?.terminationGracePeriodSeconds ?? 0;
        const sleep = mainContainer(props).lifecycle?.preStop?.sleep?.seconds ?? 0;
        const drainMs = Number(m.configMap.data?.SHUTDOWN_TIMEOUT_MS);
        expect(grace * 1000).toBeGreaterThan(sleep * 1000 + drainMs);
      }
      expect(podSpec().terminationGracePeriodSeconds).toBe(20);
      expect(podSpec({ terminationGracePeriodSeconds: 60 }).terminationGracePeriodSeconds).toBe(60);
    });
  });

  it('requests resources without a CPU limit by default, and takes others', () => {
    expect(mainContainer().resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
    const resources = {
      requests: { cpu: '1', memory: '1Gi' },
      limits: { cpu: '2', memory: '1Gi' },
    };
    expect(mainContainer({ resources }).resources).toEqual(resources);
  });

  it('spreads the pods across nodes, preferring rather than requiring it by default', () => {
    const [constraint, ...rest] = podSpec().topologySpreadConstraints ?? [];
    expect(rest).toEqual([]);
    expect(constraint).toMatchObject({
      maxSkew: 1,
      topologyKey: 'kubernetes.io/hostname',
      whenUnsatisfiable: 'ScheduleAnyway',
    });
    expect(matches(constraint?.labelSelector?.matchLabels, podTemplate().metadata?.labels)).toBe(
      true,
    );
    expect(
      podSpec({ topologySpread: 'DoNotSchedule' }).topologySpreadConstraints?.[0]
        ?.whenUnsatisfiable,
    ).toBe('DoNotSchedule');
  });

  it('tells the app its pod name through the downward API', () => {
    expect(mainContainer().env).toContainEqual({
      name: 'POD_NAME',
      valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } },
    });
  });

  it('reads its configuration from the ConfigMap and no service links', () => {
    const m = render();
    expect(mainContainer().envFrom).toEqual([
      { configMapRef: { name: m.configMap.metadata?.name } },
    ]);
    expect(podSpec().enableServiceLinks).toBe(false);
  });

  describe('config checksum annotation', () => {
    const checksumOf = (props = {}) =>
      podTemplate(props).metadata?.annotations?.[CONFIG_CHECKSUM_ANNOTATION];

    it('is the sha256 of the ConfigMap data', () => {
      const m = render();
      expect(checksumOf()).toBe(configChecksum(m.configMap.data ?? {}));
      expect(checksumOf()).toMatch(/^[0-9a-f]{64}$/);
    });

    it('changes with the configuration, so a config change rolls the pods', () => {
      expect(checksumOf({ logLevel: 'debug' })).not.toBe(checksumOf());
      expect(checksumOf({ timezone: 'Europe/Berlin' })).not.toBe(checksumOf());
      expect(checksumOf({ recentVisits: 10 })).not.toBe(checksumOf());
    });

    it('stays the same for changes outside the configuration', () => {
      expect(checksumOf({ replicas: 7, image: 'other:tag' })).toBe(checksumOf());
    });
  });

  it('writes only to /data and a /tmp emptyDir', () => {
    expect(mainContainer().securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(mainContainer().volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
    expect(podSpec().volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }]);
  });

  describe('security context', () => {
    it('runs as the image user 10001, non-root, with the RuntimeDefault seccomp profile', () => {
      expect(podSpec().securityContext).toEqual({
        runAsNonRoot: true,
        runAsUser: 10001,
        runAsGroup: 10001,
        fsGroup: 10001,
        fsGroupChangePolicy: 'OnRootMismatch',
        seccompProfile: { type: 'RuntimeDefault' },
      });
    });

    it('drops every capability and privilege escalation', () => {
      expect(mainContainer().securityContext).toEqual({
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ['ALL'] },
      });
    });

    it('uses its own ServiceAccount without a mounted token', () => {
      const m = render();
      expect(podSpec().serviceAccountName).toBe(m.serviceAccount.metadata?.name);
      expect(podSpec().automountServiceAccountToken).toBe(false);
    });
  });

  it('annotates the pods for Prometheus scraping unless turned off', () => {
    expect(podTemplate().metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': '8081',
      'prometheus.io/path': '/metrics',
    });
    expect(
      Object.keys(podTemplate({ prometheusScrapeAnnotations: false }).metadata?.annotations ?? {}),
    ).toEqual([CONFIG_CHECKSUM_ANNOTATION]);
  });

  it('uses the image and pull policy given', () => {
    expect(mainContainer()).toMatchObject({
      image: 'stateful-visits/visits:dev',
      imagePullPolicy: 'IfNotPresent',
    });
    expect(mainContainer({ image: 'r.example/v:1', imagePullPolicy: 'Never' })).toMatchObject({
      image: 'r.example/v:1',
      imagePullPolicy: 'Never',
    });
  });

  it('listens on the configured port and says so in PORT', () => {
    const m = render({ port: 8080 });
    expect(m.configMap.data?.PORT).toBe('8080');
    expect(mainContainer({ port: 8080 }).ports?.[0]?.containerPort).toBe(8080);
  });

  it('serves the ops routes on the configured opsPort, says so in OPS_PORT, and is scraped there', () => {
    const m = render({ opsPort: 9100 });
    expect(m.configMap.data?.OPS_PORT).toBe('9100');
    expect(mainContainer({ opsPort: 9100 }).ports?.[1]).toEqual({
      name: 'ops',
      containerPort: 9100,
      protocol: 'TCP',
    });
    expect(podTemplate({ opsPort: 9100 }).metadata?.annotations?.['prometheus.io/port']).toBe(
      '9100',
    );
  });
});
