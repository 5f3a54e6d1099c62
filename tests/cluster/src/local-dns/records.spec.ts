import { describe, expect, it } from 'vitest';
import { hostsFile, serviceRecords, type Endpoints, type Service } from './records.js';

const service = (name: string, spec: Service['spec'], namespace = 'ns'): Service => ({
  metadata: { name, namespace },
  spec,
});
const endpoints = (
  name: string,
  addresses: { ip: string; hostname?: string }[],
  namespace = 'ns',
): Endpoints => ({ metadata: { name, namespace }, subsets: [{ addresses }] });

describe('serviceRecords', () => {
  it('resolves a Service with a cluster IP to that IP, never to its endpoints', () => {
    expect(
      serviceRecords(
        [service('visits', { type: 'ClusterIP', clusterIP: '198.19.0.10' })],
        [endpoints('visits', [{ ip: '198.18.0.5' }])],
      ),
    ).toEqual([{ ip: '198.19.0.10', names: ['visits.ns.svc.cluster.local'] }]);
  });

  it('resolves a headless Service to every endpoint, and each named endpoint on its own', () => {
    const lines = serviceRecords(
      [service('visits-headless', { clusterIP: 'None' })],
      [
        endpoints('visits-headless', [
          { ip: '198.18.0.7', hostname: 'visits-1' },
          { ip: '198.18.0.6', hostname: 'visits-0' },
          { ip: '198.18.0.8' },
        ]),
      ],
    );
    expect(hostsFile(lines)).toBe(
      [
        '198.18.0.6 visits-0.visits-headless.ns.svc.cluster.local visits-headless.ns.svc.cluster.local',
        '198.18.0.7 visits-1.visits-headless.ns.svc.cluster.local visits-headless.ns.svc.cluster.local',
        '198.18.0.8 visits-headless.ns.svc.cluster.local',
        '',
      ].join('\n'),
    );
  });

  it('keeps namespaces apart and serves nothing for ExternalName or address-less Services', () => {
    const lines = serviceRecords(
      [
        service('db', { clusterIP: 'None' }, 'a'),
        service('db', { clusterIP: 'None' }, 'b'),
        service('ext', { type: 'ExternalName' }),
        service('empty', { clusterIP: 'None' }),
      ],
      [endpoints('db', [{ ip: '198.18.0.2' }], 'b'), endpoints('ext', [{ ip: '198.18.0.3' }])],
    );
    expect(lines).toEqual([{ ip: '198.18.0.2', names: ['db.b.svc.cluster.local'] }]);
  });

  it('uses the cluster domain it is given', () => {
    expect(serviceRecords([service('s', { clusterIP: '10.0.0.1' })], [], 'corp.example')).toEqual([
      { ip: '10.0.0.1', names: ['s.ns.svc.corp.example'] },
    ]);
  });
});
