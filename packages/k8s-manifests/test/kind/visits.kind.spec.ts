// The StatefulSet on a real cluster: each pod keeps its own count on its own volume, through pod
// deletion, scaling and a partitioned rolling update. Needs kind, kubectl and a Docker engine;
// skips, saying which is missing, where they are not there.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { KindEnvironment, POD_SELECTOR } from './support/kind-environment.js';
import { missingTools } from './support/tools.js';

interface Pod {
  metadata: {
    name: string;
    uid: string;
    creationTimestamp: string;
    labels: Record<string, string>;
  };
  spec: {
    nodeName?: string;
    containers: { name: string; image: string }[];
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  };
  status: { conditions?: { type: string; status: string; lastTransitionTime: string }[] };
}
interface StatefulSet {
  spec: { podManagementPolicy: string; replicas: number };
  status: { updatedReplicas?: number; currentRevision?: string; updateRevision?: string };
}
interface List<T> {
  items: T[];
}

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const missing = await missingTools();
const skipReason = missing.length > 0 ? `skipped: ${missing.join('; ')}` : undefined;
if (skipReason) {
  console.warn(
    `kind suite ${skipReason}. It needs kind, kubectl and a running Docker engine; ` +
      'the manifests themselves are checked by the unit tests (`npm test`).',
  );
}

const ORIGIN = 'http://127.0.0.1:3000';
// Runs inside the pod (the image has node but no curl): `times` requests, prints the last body.
const HTTP_SCRIPT = `(async () => {
  const [url, method, times] = process.argv.slice(1);
  let body;
  for (let i = 0; i < Number(times); i++) {
    const res = await fetch(url, { method, headers: { accept: 'application/json' } });
    const text = await res.text();
    if (!res.ok) throw new Error(method + ' ' + url + ' -> ' + res.status + ' ' + text);
    body = text;
  }
  console.log(body);
})().catch((e) => { console.error(String(e)); process.exit(1); });`;

describe.skipIf(skipReason !== undefined)(
  `the visits StatefulSet on a kind cluster${skipReason ? ` (${skipReason})` : ''}`,
  () => {
    let env: KindEnvironment;

    const kubectl = (...args: string[]) => env.kubectl(args);
    const getPod = (name: string) => env.kubectlJson<Pod>(['get', 'pod', name]);
    const getPods = async () =>
      (await env.kubectlJson<List<Pod>>(['get', 'pods', '-l', POD_SELECTOR])).items;
    const getStatefulSet = () => env.kubectlJson<StatefulSet>(['get', 'statefulset', 'visits']);
    const claimUids = async () =>
      new Map(
        (
          await env.kubectlJson<List<{ metadata: { name: string; uid: string } }>>(['get', 'pvc'])
        ).items.map((c) => [c.metadata.name, c.metadata.uid]),
      );
    const waitForRollout = () => kubectl('rollout', 'status', 'statefulset/visits', '--timeout=5m');
    const scale = (replicas: number) =>
      kubectl('scale', 'statefulset/visits', `--replicas=${replicas}`);
    const isReady = (p: Pod) =>
      p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const claimOf = (p: Pod) =>
      p.spec.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName;

    /** Polls until exactly these pods exist (scaling in removes the others). */
    async function waitForPods(names: readonly string[]) {
      await vi.waitFor(
        async () => {
          expect((await getPods()).map((p) => p.metadata.name).sort()).toEqual([...names].sort());
        },
        { timeout: 5 * 60_000, interval: 2_000 },
      );
    }

    async function http(pod: string, method: string, url: string, times = 1) {
      const out = await kubectl(
        'exec',
        pod,
        '-c',
        'visits',
        '--',
        'node',
        '-e',
        HTTP_SCRIPT,
        url,
        method,
        String(times),
      );
      return JSON.parse(out) as { pod: string; count: number };
    }
    const recordVisits = (pod: string, times: number) =>
      http(pod, 'POST', `${ORIGIN}/visits`, times);
    const readVisits = (pod: string) => http(pod, 'GET', `${ORIGIN}/visits`);

    /** The pod reports `count` on /visits, and its volume holds it in /data/visits. */
    async function expectCount(pod: string, count: number) {
      expect(await readVisits(pod)).toMatchObject({ pod, count });
      await vi.waitFor(
        async () => {
          expect(await kubectl('exec', pod, '-c', 'visits', '--', 'cat', '/data/visits')).toBe(
            `${count}\n`,
          );
        },
        { timeout: 15_000, interval: 500 },
      );
    }
    async function countsOf(pods: readonly string[]) {
      const counts = new Map<string, number>();
      for (const pod of pods) counts.set(pod, (await readVisits(pod)).count);
      return counts;
    }
    async function expectCounts(counts: ReadonlyMap<string, number>) {
      for (const [pod, count] of counts) await expectCount(pod, count);
    }

    beforeAll(async () => {
      const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
      env = await KindEnvironment.start({ repoRoot, runId });
      try {
        await waitForRollout();
      } catch (error) {
        console.error(await env.diagnostics());
        throw error;
      }
    }, 45 * 60_000);

    afterAll(async () => {
      await env?.stop();
    }, 10 * 60_000);

    beforeEach(({ onTestFailed }) => {
      onTestFailed(async () => {
        console.error(await env.diagnostics());
      });
    });

    it('runs in a namespace that enforces the restricted Pod Security Standard', async () => {
      const ns = await env.kubectlJson<{ metadata: { labels: Record<string, string> } }>([
        'get',
        'namespace',
        env.namespace,
      ]);
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      // Admission let the pods in, so they meet the profile.
      expect((await getPods()).map((p) => p.metadata.name).sort()).toEqual([
        'visits-0',
        'visits-1',
        'visits-2',
      ]);
    });

    it('creates the pods in parallel, none waiting for another to be ready', async () => {
      expect((await getStatefulSet()).spec.podManagementPolicy).toBe('Parallel');
      const pods = await getPods();
      const created = pods.map((p) => Date.parse(p.metadata.creationTimestamp));
      const ready = pods.map((p) =>
        Date.parse(p.status.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? ''),
      );
      // OrderedReady would create visits-1 only after visits-0 is ready, and so on.
      expect(Math.max(...created) - Math.min(...created)).toBeLessThanOrEqual(1000);
      expect(Math.max(...created)).toBeLessThan(Math.min(...ready));
      if (env.ownsCluster) {
        // The suite's cluster has two workers; the topology spread puts pods on both.
        expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(2);
      }
    });

    it('answers at each pod’s stable name through the headless Service', async () => {
      for (const ordinal of [0, 1, 2]) {
        const host = `visits-${ordinal}.visits-headless.${env.namespace}.svc.cluster.local`;
        expect(await http('visits-0', 'GET', `http://${host}:3000/visits`)).toMatchObject({
          pod: `visits-${ordinal}`,
        });
      }
    });

    it('keeps a separate count on each pod’s own volume', async () => {
      const pods = ['visits-0', 'visits-1', 'visits-2'];
      for (const pod of pods) await expectCount(pod, 0);
      const wanted = new Map(pods.map((pod, i) => [pod, 3 + 2 * i]));
      for (const [pod, n] of wanted) {
        expect(await recordVisits(pod, n)).toMatchObject({ pod, count: n });
      }
      await expectCounts(wanted);
      const claims = await Promise.all(pods.map(async (p) => claimOf(await getPod(p))));
      expect(claims).toEqual(['data-visits-0', 'data-visits-1', 'data-visits-2']);
    });

    it('brings a deleted pod back with the same name, claim and count', async () => {
      const before = await getPod('visits-1');
      const { count } = await readVisits('visits-1');
      const claimUid = (await claimUids()).get('data-visits-1');

      await kubectl('delete', 'pod', 'visits-1', '--wait=true');
      await vi.waitFor(
        async () => {
          const pod = await getPod('visits-1');
          expect(pod.metadata.uid).not.toBe(before.metadata.uid);
          expect(isReady(pod)).toBe(true);
        },
        { timeout: 5 * 60_000, interval: 2_000 },
      );

      expect(claimOf(await getPod('visits-1'))).toBe('data-visits-1');
      expect((await claimUids()).get('data-visits-1')).toBe(claimUid);
      await expectCount('visits-1', count);
    });

    it('scales out with new empty volumes, and back in and out to the retained ones', async () => {
      const original = await countsOf(['visits-0', 'visits-1', 'visits-2']);
      const claimsBefore = await claimUids();
      expect([...claimsBefore.keys()].sort()).toEqual([
        'data-visits-0',
        'data-visits-1',
        'data-visits-2',
      ]);

      await scale(5);
      await waitForRollout();
      await expectCount('visits-3', 0);
      await expectCount('visits-4', 0);
      const claimsScaled = await claimUids();
      expect([...claimsScaled.keys()].sort()).toEqual([
        'data-visits-0',
        'data-visits-1',
        'data-visits-2',
        'data-visits-3',
        'data-visits-4',
      ]);
      for (const [name, uid] of claimsBefore) expect(claimsScaled.get(name)).toBe(uid);
      await recordVisits('visits-3', 4);
      await recordVisits('visits-4', 6);

      await scale(3);
      await waitForPods(['visits-0', 'visits-1', 'visits-2']);
      // whenScaled: Retain — the claims of the removed pods stay.
      expect(await claimUids()).toEqual(claimsScaled);

      await scale(5);
      await waitForRollout();
      expect(await claimUids()).toEqual(claimsScaled);
      await expectCounts(new Map([...original, ['visits-3', 4], ['visits-4', 6]]));

      await scale(3);
      await waitForPods(['visits-0', 'visits-1', 'visits-2']);
      await waitForRollout();
    });

    it('updates only the highest ordinal with partition 2, then the rest at partition 0', async () => {
      const pods = ['visits-0', 'visits-1', 'visits-2'];
      const counts = await countsOf(pods);
      const imageOf = (p: Pod) => p.spec.containers.find((c) => c.name === 'visits')?.image;
      const revisionOf = (p: Pod) => p.metadata.labels['controller-revision-hash'];

      await kubectl(
        'patch',
        'statefulset',
        'visits',
        '--type=strategic',
        '--patch',
        JSON.stringify({
          spec: {
            updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
            template: { spec: { containers: [{ name: 'visits', image: env.canaryImage }] } },
          },
        }),
      );
      await waitForRollout();
      const canary = await getStatefulSet();
      expect(canary.status.updatedReplicas).toBe(1);
      expect(canary.status.updateRevision).not.toBe(canary.status.currentRevision);
      const byName = new Map((await getPods()).map((p) => [p.metadata.name, p]));
      const [p0, p1, p2] = pods.map((name) => byName.get(name));
      expect(p2 && [imageOf(p2), revisionOf(p2), isReady(p2)]).toEqual([
        env.canaryImage,
        canary.status.updateRevision,
        true,
      ]);
      for (const old of [p0, p1]) {
        expect(old && [imageOf(old), revisionOf(old)]).toEqual([
          env.image,
          canary.status.currentRevision,
        ]);
      }
      await expectCounts(counts);

      await kubectl(
        'patch',
        'statefulset',
        'visits',
        '--type=merge',
        '--patch',
        JSON.stringify({ spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }),
      );
      await waitForRollout();
      const done = await getStatefulSet();
      expect(done.status.currentRevision).toBe(done.status.updateRevision);
      for (const p of await getPods()) {
        expect([imageOf(p), revisionOf(p)]).toEqual([env.canaryImage, done.status.updateRevision]);
      }
      await expectCounts(counts);
    });
  },
);
