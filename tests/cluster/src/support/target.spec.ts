import { describe, expect, it } from 'vitest';
import { chooseTarget, considersKind, TargetConfigError } from './target.js';

const kindThere = { ok: true } as const;
const kindMissing = { ok: false, missing: ['kind not found on PATH'] } as const;

describe('chooseTarget', () => {
  it('runs on the existing cluster CLUSTER_CONTEXT names, with the delivery it names', () => {
    expect(
      chooseTarget(
        { CLUSTER_CONTEXT: 'stateful-visits-local', CLUSTER_IMAGE_DELIVERY: 'ctr' },
        kindThere,
      ),
    ).toEqual({
      target: {
        kind: 'existing',
        context: 'stateful-visits-local',
        namespace: undefined,
        delivery: { kind: 'ctr', address: '/run/containerd/containerd.sock', namespace: 'k8s.io' },
      },
    });
  });

  it('takes the namespace, the containerd address and the registry from the environment', () => {
    const env = {
      CLUSTER_CONTEXT: 'prod-like',
      CLUSTER_NAMESPACE: 'visits-e2e',
      CLUSTER_IMAGE_DELIVERY: 'registry',
      CLUSTER_IMAGE_REGISTRY: 'registry.example:5000/team/',
    };
    expect(chooseTarget(env, kindMissing)).toEqual({
      target: {
        kind: 'existing',
        context: 'prod-like',
        namespace: 'visits-e2e',
        delivery: { kind: 'registry', repository: 'registry.example:5000/team' },
      },
    });
  });

  it('loads into the kind cluster of a kind-<name> context, or the one CLUSTER_KIND_NAME names', () => {
    const delivery = (env: NodeJS.ProcessEnv) => {
      const choice = chooseTarget({ CLUSTER_IMAGE_DELIVERY: 'kind', ...env }, kindThere);
      return 'target' in choice && choice.target.kind === 'existing'
        ? choice.target.delivery
        : undefined;
    };
    expect(delivery({ CLUSTER_CONTEXT: 'kind-dev' })).toEqual({ kind: 'kind', cluster: 'dev' });
    expect(delivery({ CLUSTER_CONTEXT: 'admin@dev', CLUSTER_KIND_NAME: 'dev' })).toEqual({
      kind: 'kind',
      cluster: 'dev',
    });
    expect(() => delivery({ CLUSTER_CONTEXT: 'admin@dev' })).toThrow(/CLUSTER_KIND_NAME/);
  });

  it('refuses an existing cluster without a way to deliver the image, naming the choices', () => {
    expect(() => chooseTarget({ CLUSTER_CONTEXT: 'x' }, kindThere)).toThrow(
      /CLUSTER_IMAGE_DELIVERY is not set.*kind \| ctr \| registry \| none/,
    );
    expect(() =>
      chooseTarget({ CLUSTER_CONTEXT: 'x', CLUSTER_IMAGE_DELIVERY: 'scp' }, kindThere),
    ).toThrow(/CLUSTER_IMAGE_DELIVERY=scp is not known/);
    expect(() =>
      chooseTarget({ CLUSTER_CONTEXT: 'x', CLUSTER_IMAGE_DELIVERY: 'registry' }, kindThere),
    ).toThrow(/needs CLUSTER_IMAGE_REGISTRY/);
  });

  it('refuses a namespace name Kubernetes would refuse', () => {
    expect(() =>
      chooseTarget(
        { CLUSTER_CONTEXT: 'x', CLUSTER_IMAGE_DELIVERY: 'none', CLUSTER_NAMESPACE: 'Visits_E2E' },
        kindThere,
      ),
    ).toThrow(TargetConfigError);
  });

  it('creates a kind cluster when nothing is named and kind is there', () => {
    expect(chooseTarget({ KIND_NODE_IMAGE: 'kindest/node:v1.31.0' }, kindThere)).toEqual({
      target: { kind: 'new-kind', nodeImage: 'kindest/node:v1.31.0' },
    });
  });

  it('skips, saying what is missing, when nothing is named and kind is not there', () => {
    expect(chooseTarget({}, kindMissing)).toEqual({
      skip: expect.stringContaining('set CLUSTER_CONTEXT') as unknown,
    });
    expect(chooseTarget({}, kindMissing)).toEqual({
      skip: expect.stringContaining('kind not found on PATH') as unknown,
    });
  });

  it('fails instead of skipping when kind is insisted on, or the target is unknown', () => {
    expect(() => chooseTarget({ CLUSTER_TARGET: 'kind' }, kindMissing)).toThrow(
      /CLUSTER_TARGET=kind, but no cluster to run on/,
    );
    expect(() => chooseTarget({ CLUSTER_TARGET: 'existing' }, kindThere)).toThrow(
      /needs CLUSTER_CONTEXT/,
    );
    expect(() => chooseTarget({ CLUSTER_TARGET: 'minikube' }, kindThere)).toThrow(/not a target/);
  });
});

describe('considersKind', () => {
  it('probes kind only where it could be chosen', () => {
    expect(considersKind({})).toBe(true);
    expect(considersKind({ CLUSTER_CONTEXT: 'x' })).toBe(false);
    expect(considersKind({ CLUSTER_CONTEXT: 'x', CLUSTER_TARGET: 'kind' })).toBe(true);
  });
});
