import { describe, expect, it } from 'vitest';
import { VisitsPropsError } from './errors.js';
import type { VisitsProps } from './props.js';
import { quantityBytes, resolveVisitsProps } from './resolve-props.js';
import { visitsManifests } from './visits.js';

describe('resolveVisitsProps', () => {
  it('applies the documented defaults', () => {
    const sut = resolveVisitsProps();
    expect(sut).toMatchObject({
      name: 'visits',
      namespace: undefined,
      image: 'stateful-visits/visits:dev',
      imagePullPolicy: 'IfNotPresent',
      replicas: 3,
      storageSize: '1Gi',
      storageClassName: undefined,
      accessMode: 'ReadWriteOnce',
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', partition: 0 },
      pvcRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      minReadySeconds: 5,
      port: 3000,
      opsPort: 8081,
      clientServicePort: 80,
      timezone: 'UTC',
      recentVisits: 100,
      logLevel: 'info',
      accessLog: 'all',
      slowRequestMs: 500,
      shutdownTimeoutMs: 10_000,
      corsOrigins: [],
      preStopSleepSeconds: 5,
      terminationGracePeriodSeconds: 20,
      startupTimeoutSeconds: 60,
      topologySpread: 'ScheduleAnyway',
      clientServiceType: 'ClusterIP',
      prometheusScrapeAnnotations: true,
      serviceMonitor: false,
      serviceMonitorInterval: '30s',
      prometheusRule: false,
      networkPolicy: false,
      fleet: true,
      clusterDomain: 'cluster.local',
    });
  });

  it('accepts every valid extreme', () => {
    expect(() =>
      resolveVisitsProps({
        replicas: 1,
        updateStrategy: { type: 'RollingUpdate', partition: 1 },
        storageSize: '500Mi',
        port: 1024,
        opsPort: 65535,
        slowRequestMs: 1,
        recentVisits: 1000,
        shutdownTimeoutMs: 600_000,
        preStopSleepSeconds: 0,
        timezone: 'Europe/Berlin',
        serviceMonitorInterval: '1m30s',
      }),
    ).not.toThrow();
  });

  const invalid: [string, VisitsProps, RegExp][] = [
    ['replicas below 1', { replicas: 0 }, /replicas must be an integer ≥ 1, got 0: set replicas/],
    ['fractional replicas', { replicas: 1.5 }, /replicas must be an integer/],
    [
      'partition above replicas',
      { replicas: 3, updateStrategy: { type: 'RollingUpdate', partition: 4 } },
      /updateStrategy\.partition must be an integer from 0 to replicas \(3\), got 4: .*0 updates all/,
    ],
    [
      'negative partition',
      { updateStrategy: { type: 'RollingUpdate', partition: -1 } },
      /updateStrategy\.partition/,
    ],
    [
      'unknown update strategy',
      { updateStrategy: { type: 'Recreate' } as unknown as VisitsProps['updateStrategy'] },
      /updateStrategy\.type must be RollingUpdate or OnDelete, got "Recreate"/,
    ],
    [
      'size without a unit Kubernetes knows',
      { storageSize: '1GB' },
      /storageSize must be a positive Kubernetes quantity such as '1Gi'.*"1GB"/,
    ],
    ['zero size', { storageSize: '0Gi' }, /storageSize must be a positive/],
    [
      'size below the store minimum',
      { storageSize: '1Ki' },
      /^storageSize must be at least 36Ki for recentVisits 100, got "1Ki": the store keeps two journals of at least 8Ki .*16Ki margin, and refuses to start on less .*from 2068Ki on it never uses more than 2052Ki/,
    ],
    ['size just below the minimum', { storageSize: '36863' }, /at least 36Ki for recentVisits 100/],
    [
      'size below the minimum for its recentVisits',
      { storageSize: '99Ki', recentVisits: 1000 },
      /storageSize must be at least 100Ki for recentVisits 1000, got "99Ki"/,
    ],
    [
      'a cluster domain that is not a DNS domain',
      { clusterDomain: 'Cluster.Local.' },
      /clusterDomain must be a DNS domain such as 'cluster\.local' .*got "Cluster\.Local\."/,
    ],
    ['negative size', { storageSize: '-1Gi' }, /storageSize/],
    ['upper-case name', { name: 'Visits' }, /name must be a lowercase DNS label .*"Visits"/],
    ['name too long for the revision label', { name: 'v'.repeat(53) }, /at most 52 characters/],
    ['bad namespace', { namespace: 'My NS' }, /namespace must be a lowercase DNS label/],
    ['image with spaces', { image: 'visits dev' }, /image must be a non-empty image reference/],
    ['empty image', { image: '' }, /image must be a non-empty/],
    [
      'privileged port',
      { port: 80 },
      /port must be an integer 1024–65535, got 80: .*cannot bind ports below 1024/,
    ],
    [
      'privileged ops port',
      { opsPort: 443 },
      /opsPort must be an integer 1024–65535, got 443: .*cannot bind ports below 1024/,
    ],
    [
      'ops port equal to the service port',
      { port: 9000, opsPort: 9000 },
      /opsPort must differ from port \(both are 9000\)/,
    ],
    [
      'unknown access log setting',
      { accessLog: 'none' as VisitsProps['accessLog'] },
      /accessLog must be one of all, errors, got "none"/,
    ],
    [
      'slow request threshold of 0',
      { slowRequestMs: 0 },
      /slowRequestMs must be an integer 1–600000, got 0/,
    ],
    [
      'client port out of range',
      { clientServicePort: 70000 },
      /clientServicePort must be an integer 1–65535/,
    ],
    ['unknown time zone', { timezone: 'Mars/Olympus' }, /timezone must be an IANA time zone name/],
    [
      'an origin with a trailing slash',
      { corsOrigins: ['https://example.com/'] },
      /corsOrigins must be \['\*'\] or a list of origins.*; not an origin: "https:\/\/example.com\/"/,
    ],
    [
      'recentVisits above 1000',
      { recentVisits: 1001 },
      /recentVisits must be an integer 1–1000, got 1001/,
    ],
    [
      'unknown log level',
      { logLevel: 'verbose' as VisitsProps['logLevel'] },
      /logLevel must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"/,
    ],
    [
      'shutdown timeout too short',
      { shutdownTimeoutMs: 500 },
      /shutdownTimeoutMs must be an integer 1000–600000/,
    ],
    [
      'grace period shorter than the drain',
      { terminationGracePeriodSeconds: 10 },
      /terminationGracePeriodSeconds must be an integer ≥ 15 .*got 10: .*SIGKILL/,
    ],
    ['negative minReadySeconds', { minReadySeconds: -1 }, /minReadySeconds must be an integer ≥ 0/],
    [
      'startup timeout below one probe period',
      { startupTimeoutSeconds: 1 },
      /startupTimeoutSeconds must be an integer ≥ 2/,
    ],
    [
      'bad storage class name',
      { storageClassName: 'Fast SSD' },
      /storageClassName must be the name of a StorageClass/,
    ],
    [
      'bad access mode',
      { accessMode: 'ReadWriteMany' as VisitsProps['accessMode'] },
      /accessMode must be one of ReadWriteOnce, ReadWriteOncePod/,
    ],
    [
      'bad scrape interval',
      { serviceMonitorInterval: '30 seconds' },
      /serviceMonitorInterval must be a Prometheus duration/,
    ],
    [
      'bad client service type',
      { clientServiceType: 'ExternalName' as VisitsProps['clientServiceType'] },
      /clientServiceType must be one of ClusterIP, NodePort, LoadBalancer/,
    ],
    [
      'bad retention action',
      { pvcRetentionPolicy: { whenScaled: 'Keep' as 'Retain' } },
      /pvcRetentionPolicy\.whenScaled must be one of Retain, Delete/,
    ],
  ];

  it.each(invalid)('rejects %s with a message saying what to do', (_case, props, message) => {
    let error: unknown;
    try {
      resolveVisitsProps(props);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VisitsPropsError);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('VisitsPropsError');
    expect((error as Error).message).toMatch(message);
  });

  it('accepts the store minimum size in any unit, and spells the time zone as the service would', () => {
    for (const storageSize of ['36Ki', '36864', '0.1Mi', '37k', '1Gi']) {
      expect(resolveVisitsProps({ storageSize }).storageSize).toBe(storageSize);
    }
    expect(resolveVisitsProps({ storageSize: '100Ki', recentVisits: 1000 }).storageSize).toBe(
      '100Ki',
    );
    expect(resolveVisitsProps({ timezone: 'europe/berlin' }).timezone).toBe('Europe/Berlin');
  });

  it('reads Kubernetes storage quantities as bytes', () => {
    expect(quantityBytes('36Ki')).toBe(36 * 1024);
    expect(quantityBytes('1.5Gi')).toBe(1.5 * 2 ** 30);
    expect(quantityBytes('500M')).toBe(500e6);
    expect(quantityBytes('.5Ki')).toBe(512);
    expect(quantityBytes('4096')).toBe(4096);
    expect(() => quantityBytes('1GB')).toThrow(RangeError);
  });

  it('stops visitsManifests before anything is built', () => {
    expect(() => visitsManifests({ replicas: 0 })).toThrow(VisitsPropsError);
  });
});
