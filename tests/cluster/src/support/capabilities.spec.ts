import { describe, expect, it } from 'vitest';
import { capabilitiesOf, CHECKS, skippedChecks, skipReason } from './capabilities.js';
import { v1_20, v1_31 } from './server-facts.fixtures.js';

describe('capabilitiesOf', () => {
  it('finds none of the newer features on 1.20', () => {
    expect(capabilitiesOf(v1_20)).toEqual({
      version: 'v1.20.2',
      podSecurityAdmission: false,
      clusterDns: false,
      preStopSleep: false,
      statefulSetMinReadySeconds: false,
      statefulSetPvcRetentionPolicy: false,
      podDisruptionBudgetV1: false,
      pdbUnhealthyPodEvictionPolicy: false,
      schedulableNodes: 1,
    });
  });

  it('finds all of them on a current cluster', () => {
    expect(capabilitiesOf(v1_31)).toEqual({
      version: 'v1.31.0',
      podSecurityAdmission: true,
      clusterDns: true,
      preStopSleep: true,
      statefulSetMinReadySeconds: true,
      statefulSetPvcRetentionPolicy: true,
      podDisruptionBudgetV1: true,
      pdbUnhealthyPodEvictionPolicy: true,
      schedulableNodes: 2,
    });
  });

  it('reads a distribution’s minor version with a suffix (GKE and EKS report "29+")', () => {
    const facts = { ...v1_20, version: { major: '1', minor: '29+', gitVersion: 'v1.29.4-gke.1' } };
    expect(capabilitiesOf(facts).podSecurityAdmission).toBe(true);
  });

  it('refuses a version it cannot read instead of guessing', () => {
    const facts = { ...v1_20, version: { major: '', minor: '', gitVersion: 'v0.0.0-master' } };
    expect(() => capabilitiesOf(facts)).toThrow(/cannot read the server version/);
  });
});

describe('skippedChecks', () => {
  it('names every check 1.20 on one node cannot support, with the reason', () => {
    const skipped = skippedChecks(capabilitiesOf(v1_20));
    expect(skipped.map((s) => s.check)).toEqual([
      CHECKS.podSecurity,
      CHECKS.dns,
      CHECKS.fleet,
      CHECKS.spread,
    ]);
    expect(skipReason(skipped, CHECKS.podSecurity)).toMatch(
      /v1\.20\.2 has no Pod Security admission/,
    );
    expect(skipReason(skipped, CHECKS.dns)).toMatch(/no DNS service/);
    expect(skipReason(skipped, CHECKS.fleet)).toMatch(/FLEET_DNS cannot resolve/);
    expect(skipReason(skipped, CHECKS.spread)).toMatch(/1 schedulable node/);
  });

  it('skips nothing on a current cluster with two nodes', () => {
    expect(skippedChecks(capabilitiesOf(v1_31))).toEqual([]);
  });
});
