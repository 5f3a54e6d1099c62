// Over 350 lines on purpose: one ordered story on one cluster (each test starts from the state the
// one before left), so it is kept in one file rather than split into files that must run in order.
// The whole product on a real cluster: the image built from docker/Dockerfile, the committed
// manifests (k8s/overlays/kind), a real control plane and kubelet. Each pod keeps its own count on
// its own volume through probes, restarts, deletion, scaling and a partitioned rolling update.
// The global setup picks the cluster and says which checks it cannot support; those are skipped
// here with that reason in their name.
import { restrictedProfileViolations } from '@stateful-visits/k8s-manifests/testing';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import { CHECKS, skipReason } from './support/capabilities.js';
import { ClusterClient, POD_SELECTOR } from './support/cluster-client.js';
import { reach } from './support/network-policy.js';
import { CommandError } from './support/run.js';

type PodTemplate = Parameters<typeof restrictedProfileViolations>[0];

interface ContainerStatus {
  name: string;
  restartCount: number;
  state?: { terminated?: { exitCode: number; reason?: string } };
}
interface Pod {
  metadata: {
    name: string;
    uid: string;
    creationTimestamp: string;
    deletionTimestamp?: string;
    deletionGracePeriodSeconds?: number;
    labels: Record<string, string>;
  };
  spec: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    containers: { name: string; image: string }[];
    volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
  };
  status: {
    podIP?: string;
    conditions?: { type: string; status: string; lastTransitionTime: string }[];
    containerStatuses?: ContainerStatus[];
  };
}
interface StatefulSet {
  spec: {
    podManagementPolicy: string;
    replicas: number;
    template: PodTemplate;
  };
  status: { updatedReplicas?: number; currentRevision?: string; updateRevision?: string };
}
interface EndpointAddress {
  ip: string;
  hostname?: string;
  targetRef?: { name: string };
}
interface Endpoints {
  subsets?: { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[] }[];
}
interface Event {
  reason: string;
  message: string;
}
interface List<T> {
  items: T[];
}

const cluster = inject('cluster');
const skipped = cluster.available ? cluster.skipped : [];
const reasonFor = (check: string) => skipReason(skipped, check);
/** The promise's value, or a failure naming what did not happen within `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} within ${ms / 1000}s`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
const titled = (name: string, reason: string | undefined) =>
  reason ? `${name} (skipped: ${reason})` : name;

const CONTAINER = 'visits';
const OBSERVE_EXIT_FINALIZER = 'stateful-visits.test/observe-exit';
const ORIGIN = 'http://127.0.0.1:3000';
// Probes and health live on the ops port (OPS_PORT), apart from the visit routes.
const OPS_ORIGIN = 'http://127.0.0.1:8081';
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
// Makes the service hang the way a Node process does in real life: its event loop stops. SIGUSR1
// makes Node open its inspector (on 127.0.0.1 in the pod); an endless loop evaluated there blocks
// the main thread. Returns once the service has stopped answering.
const HANG_SCRIPT = `(async () => {
  const pause = (ms) => new Promise((r) => setTimeout(r, ms));
  process.kill(1, 'SIGUSR1');
  let target;
  for (let i = 0; i < 100 && !target; i++) {
    try { target = (await (await fetch('http://127.0.0.1:9229/json/list')).json())[0]; }
    catch { await pause(100); }
  }
  if (!target) throw new Error('the inspector did not open on SIGUSR1');
  const ws = new WebSocket(target.webSocketDebuggerUrl);
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
  ws.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: 'for (;;) {}' } }));
  for (;;) {
    try { await fetch('${OPS_ORIGIN}/health/live', { signal: AbortSignal.timeout(1000) }); await pause(200); }
    catch { console.log('hung'); process.exit(0); }
  }
})().catch((e) => { console.error(String(e)); process.exit(1); });`;

describe.skipIf(!cluster.available)(
  `the visits StatefulSet on a real cluster${cluster.available ? ` (${cluster.description})` : ` (skipped: ${cluster.reason})`}`,
  () => {
    if (!cluster.available) return;
    const client = new ClusterClient(cluster);

    const kubectl = (...args: string[]) => client.kubectl(args);
    const getPod = (name: string) => client.json<Pod>(['get', 'pod', name]);
    const getPods = async () =>
      (await client.json<List<Pod>>(['get', 'pods', '-l', POD_SELECTOR])).items;
    const getStatefulSet = () => client.json<StatefulSet>(['get', 'statefulset', 'visits']);
    const claimUids = async () =>
      new Map(
        (
          await client.json<List<{ metadata: { name: string; uid: string } }>>(['get', 'pvc'])
        ).items.map((c) => [c.metadata.name, c.metadata.uid]),
      );
    const waitForRollout = () => kubectl('rollout', 'status', 'statefulset/visits', '--timeout=5m');
    const scale = (replicas: number) =>
      kubectl('scale', 'statefulset/visits', `--replicas=${replicas}`);
    const isReady = (p: Pod) =>
      p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const claimOf = (p: Pod) =>
      p.spec.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName;
    const statusOf = (p: Pod) => p.status.containerStatuses?.find((c) => c.name === CONTAINER);
    /** Pods the Service routes to: the ready addresses of its endpoints. */
    const readyEndpoints = async (service: string) =>
      (await client.json<Endpoints>(['get', 'endpoints', service])).subsets
        ?.flatMap((s) => s.addresses ?? [])
        .map((a) => a.targetRef?.name)
        .sort() ?? [];

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
        CONTAINER,
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
          expect(await kubectl('exec', pod, '-c', CONTAINER, '--', 'cat', '/data/visits')).toBe(
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
    /**
     * /fleet asked on each pod lists exactly `counts`, in ordinal order, this pod marked self.
     * A pod that answered before and left the DNS answer (scaled in) is listed as missing for five
     * minutes rather than silently left out: `left` must be listed so; `forgotten` may be (a
     * process started after they left never knew them, an older one still lists them). Within
     * two minutes: cluster DNS follows the endpoints with a delay (CoreDNS caches up to its
     * records' TTL), and /fleet caches its answer for up to a second.
     */
    async function expectFleet(
      counts: ReadonlyMap<string, number>,
      { left = [], forgotten = [] }: { left?: string[]; forgotten?: string[] } = {},
    ) {
      const ordinal = (name: string) => Number(name.split('-').pop());
      const names = [...counts.keys()].sort((a, b) => ordinal(a) - ordinal(b));
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const MISSING = 'not in the DNS answer any more';
      for (const asked of names) {
        await vi.waitFor(
          async () => {
            const fleet = (await http(asked, 'GET', `${ORIGIN}/fleet`)) as unknown as {
              pods: { pod: string | null; count: number | null; self: boolean; error?: string }[];
              total: number;
              complete: boolean;
            };
            const rows = fleet.pods
              .map((p) => [p.pod, p.count, p.self, p.error?.replace(/ \(.*\)$/, '')] as const)
              .filter(([pod, , , error]) => !(forgotten.includes(pod ?? '') && error === MISSING));
            const listed = [...names, ...left].sort((a, b) => ordinal(a) - ordinal(b));
            expect(rows).toEqual(
              listed.map((n) =>
                left.includes(n)
                  ? [n, null, false, MISSING]
                  : [n, counts.get(n), n === asked, undefined],
              ),
            );
            expect(fleet.total).toBe(total);
            expect(fleet.complete).toBe(fleet.pods.length === names.length);
          },
          { timeout: 2 * 60_000, interval: 2_000 },
        );
      }
    }
    const fleetSkipped = reasonFor(CHECKS.fleet);
    /** {@link expectFleet} where the cluster supports the fleet view (see the skipped checks). */
    async function expectFleetWherePossible(...args: Parameters<typeof expectFleet>) {
      if (!fleetSkipped) await expectFleet(...args);
    }
    const andFleet = fleetSkipped ? '' : '; /fleet on every pod agrees';

    beforeEach(({ onTestFailed }) => {
      onTestFailed(async () => {
        console.error(await client.diagnostics());
      });
    });

    it('runs pods that meet the restricted profile in a namespace labelled to enforce it', async () => {
      const ns = await client.json<{ metadata: { labels: Record<string, string> } }>([
        'get',
        'namespace',
        client.namespace,
      ]);
      expect(ns.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
      // The template as the cluster holds it, after any compatibility change.
      expect(restrictedProfileViolations((await getStatefulSet()).spec.template)).toEqual([]);
      expect((await getPods()).map((p) => p.metadata.name).sort()).toEqual([
        'visits-0',
        'visits-1',
        'visits-2',
      ]);
    });

    it.skipIf(reasonFor(CHECKS.podSecurity))(
      titled(CHECKS.podSecurity, reasonFor(CHECKS.podSecurity)),
      async () => {
        // Root, privilege escalation allowed, capabilities kept, no seccomp profile.
        const template: PodTemplate = {
          spec: {
            containers: [{ name: 'root', image: cluster.image, securityContext: { runAsUser: 0 } }],
          },
        };
        // The manifests package's own checker agrees that this pod breaks the profile.
        expect(restrictedProfileViolations(template)).not.toEqual([]);
        const pod = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'violates-restricted' },
          ...template,
        };
        const refusal = await client
          .kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) })
          .then(
            () => 'admitted',
            (e: unknown) => (e instanceof CommandError ? e.stderr : String(e)),
          );
        expect(refusal).toMatch(/violates PodSecurity "restricted/);
      },
    );

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
    });

    it.skipIf(reasonFor(CHECKS.spread))(
      titled(CHECKS.spread, reasonFor(CHECKS.spread)),
      async () => {
        const pods = await getPods();
        expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBeGreaterThan(1);
      },
    );

    it('publishes every pod under its stable name in the headless Service', async () => {
      // What cluster DNS serves as visits-N.visits-headless: one hostname and address per pod,
      // ready or not (publishNotReadyAddresses).
      const endpoints = await client.json<Endpoints>(['get', 'endpoints', 'visits-headless']);
      const addresses = new Map(
        (endpoints.subsets ?? [])
          .flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])])
          .map((a) => [a.hostname, a.ip]),
      );
      const pods = await getPods();
      expect(pods).toHaveLength(3);
      for (const pod of pods) {
        expect([pod.spec.hostname, pod.spec.subdomain]).toEqual([
          pod.metadata.name,
          'visits-headless',
        ]);
        expect(addresses.get(pod.metadata.name)).toBe(pod.status.podIP);
      }
    });

    it.skipIf(reasonFor(CHECKS.dns))(titled(CHECKS.dns, reasonFor(CHECKS.dns)), async () => {
      // From another pod: a pod's own name would resolve from its /etc/hosts.
      for (const ordinal of [0, 1, 2]) {
        const from = `visits-${(ordinal + 1) % 3}`;
        const host = `visits-${ordinal}.visits-headless.${client.namespace}.svc.cluster.local`;
        expect(await http(from, 'GET', `http://${host}:3000/visits`)).toMatchObject({
          pod: `visits-${ordinal}`,
        });
      }
    });

    it.skipIf(reasonFor(CHECKS.networkPolicy))(
      titled(CHECKS.networkPolicy, reasonFor(CHECKS.networkPolicy)),
      async () => {
        const peer = `visits-1.visits-headless.${client.namespace}.svc.cluster.local`;
        expect(
          await reach(client, 'visits-0', CONTAINER, `http://${peer}:3000/visits?limit=0`),
        ).toBe('open');
        const ip = (await getPod('visits-1')).status.podIP;
        expect(await reach(client, 'visits-0', CONTAINER, `http://${ip}:8081/health/live`)).toBe(
          'blocked',
        );
      },
    );

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

    it.skipIf(reasonFor(CHECKS.fleet))(titled(CHECKS.fleet, reasonFor(CHECKS.fleet)), async () => {
      await expectFleet(await countsOf(['visits-0', 'visits-1', 'visits-2']));
    });

    it('stops routing to a pod that stops answering, and its liveness restart keeps the count', async () => {
      const name = 'visits-2';
      const { count } = await readVisits(name);
      const restarts = statusOf(await getPod(name))?.restartCount ?? 0;
      expect(await readyEndpoints('visits')).toEqual(['visits-0', 'visits-1', 'visits-2']);

      expect(
        (await kubectl('exec', name, '-c', CONTAINER, '--', 'node', '-e', HANG_SCRIPT)).trim(),
      ).toBe('hung');
      // Readiness fails: the kubelet marks it unready and the Service stops routing to it.
      await vi.waitFor(
        async () => {
          expect(isReady(await getPod(name))).toBe(false);
          expect(await readyEndpoints('visits')).toEqual(['visits-0', 'visits-1']);
        },
        { timeout: 2 * 60_000, interval: 1_000 },
      );
      // Liveness fails: the kubelet restarts the container, which comes back with its count.
      await vi.waitFor(
        async () => {
          const pod = await getPod(name);
          expect(statusOf(pod)?.restartCount).toBe(restarts + 1);
          expect(isReady(pod)).toBe(true);
          expect(await readyEndpoints('visits')).toEqual(['visits-0', 'visits-1', 'visits-2']);
        },
        { timeout: 5 * 60_000, interval: 2_000 },
      );
      const events = await client.json<List<Event>>([
        'get',
        'events',
        '--field-selector',
        `involvedObject.name=${name}`,
      ]);
      expect(
        events.items.filter((e) => e.reason === 'Killing').map((e) => e.message),
      ).toContainEqual(expect.stringContaining('failed liveness probe'));
      await expectCount(name, count);
    });

    /** Sets the pod's finalizers, only if `uid` is still the pod of that name. */
    const setFinalizers = (name: string, uid: string, finalizers: string[] | null) =>
      kubectl(
        'patch',
        'pod',
        name,
        '--type=merge',
        '--patch',
        JSON.stringify({ metadata: { uid, finalizers } }),
      );
    const exitStatusSkipped = reasonFor(CHECKS.deletedPodExitStatus);
    it(`runs preStop on a deleted pod, which exits 0 and comes back with the same claim and count${andFleet}${
      exitStatusSkipped ? ` (exit code from the service's last log line: ${exitStatusSkipped})` : ''
    }`, async () => {
      const name = 'visits-1';
      const before = await getPod(name);
      const uid = before.metadata.uid;
      const { count } = await readVisits(name);
      const claimUid = (await claimUids()).get('data-visits-1');

      // A finalizer of the test's own keeps the deleted pod readable until the kubelet has
      // reported how its container ended; the StatefulSet replaces it only once it is gone.
      await setFinalizers(name, uid, [OBSERVE_EXIT_FINALIZER]);
      // Ends by itself when the container has stopped.
      const logs = client.stream(['logs', '--follow', '--tail=0', name, '-c', CONTAINER]);
      let logText: string;
      let deleting: Pod;
      let ended: Pod | undefined;
      try {
        await kubectl('delete', 'pod', name, '--wait=false');
        deleting = await getPod(name);
        logText = await within(logs.ended, 2 * 60_000, `${name}'s container did not stop`);
        if (!exitStatusSkipped) {
          ended = await vi.waitFor(
            async () => {
              const pod = await getPod(name);
              expect(statusOf(pod)?.state?.terminated).toBeDefined();
              return pod;
            },
            { timeout: 60_000, interval: 1_000 },
          );
        }
      } finally {
        // The uid makes this a no-op on any other pod of that name.
        await setFinalizers(name, uid, null);
        await logs.stop();
      }
      if (ended) {
        expect(statusOf(ended)?.state?.terminated).toMatchObject({
          exitCode: 0,
          reason: 'Completed',
        });
      }
      const lines = logText
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map(
          (l) => JSON.parse(l) as { msg: string; time: string; reason?: string; exitCode?: number },
        );
      // preStop ran first: SIGTERM reached the service only after its delay, counted from the
      // deletion (deletionTimestamp is the deletion time plus the grace period, in seconds).
      const deletedAt =
        Date.parse(deleting.metadata.deletionTimestamp ?? '') -
        (deleting.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
      const sigterm = lines.find((l) => l.msg === 'shutting down');
      expect(sigterm?.reason).toBe('SIGTERM');
      expect(Date.parse(sigterm?.time ?? '')).toBeGreaterThanOrEqual(
        deletedAt + (cluster.preStopSeconds - 1) * 1000,
      );
      expect(lines.at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });

      await vi.waitFor(
        async () => {
          const pod = await getPod(name);
          expect(pod.metadata.uid).not.toBe(uid);
          expect(isReady(pod)).toBe(true);
        },
        { timeout: 5 * 60_000, interval: 2_000 },
      );
      expect(claimOf(await getPod(name))).toBe('data-visits-1');
      expect((await claimUids()).get('data-visits-1')).toBe(claimUid);
      await expectCount(name, count);
      await expectFleetWherePossible(await countsOf(['visits-0', 'visits-1', 'visits-2']));
    });

    it(`scales out with new empty volumes, and back in and out to the retained ones${andFleet}`, async () => {
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
      for (const [claim, uid] of claimsBefore) expect(claimsScaled.get(claim)).toBe(uid);
      await recordVisits('visits-3', 4);
      await recordVisits('visits-4', 6);
      const scaledCounts = new Map([...original, ['visits-3', 4], ['visits-4', 6]]);
      await expectFleetWherePossible(scaledCounts);

      await scale(3);
      await waitForPods(['visits-0', 'visits-1', 'visits-2']);
      // whenScaled: Retain — the claims of the removed pods stay.
      expect(await claimUids()).toEqual(claimsScaled);
      // The pods that left are listed as gone from the DNS answer, not silently dropped.
      await expectFleetWherePossible(original, { left: ['visits-3', 'visits-4'] });

      await scale(5);
      await waitForRollout();
      expect(await claimUids()).toEqual(claimsScaled);
      await expectCounts(scaledCounts);
      await expectFleetWherePossible(scaledCounts);

      await scale(3);
      await waitForPods(['visits-0', 'visits-1', 'visits-2']);
      await waitForRollout();
    });

    it(`updates only the highest ordinal with partition 2, then the rest at partition 0${andFleet}`, async () => {
      const pods = ['visits-0', 'visits-1', 'visits-2'];
      const counts = await countsOf(pods);
      const imageOf = (p: Pod) => p.spec.containers.find((c) => c.name === CONTAINER)?.image;
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
            template: { spec: { containers: [{ name: CONTAINER, image: cluster.canaryImage }] } },
          },
        }),
      );
      await waitForRollout();
      const canary = await getStatefulSet();
      expect(canary.status.updatedReplicas).toBe(1);
      expect(canary.status.updateRevision).not.toBe(canary.status.currentRevision);
      const byName = new Map((await getPods()).map((p) => [p.metadata.name, p]));
      const [p0, p1, p2] = pods.map((n) => byName.get(n));
      expect(p2 && [imageOf(p2), revisionOf(p2), isReady(p2)]).toEqual([
        cluster.canaryImage,
        canary.status.updateRevision,
        true,
      ]);
      for (const old of [p0, p1]) {
        expect(old && [imageOf(old), revisionOf(old)]).toEqual([
          cluster.image,
          canary.status.currentRevision,
        ]);
      }
      await expectCounts(counts);
      // Old and new pod templates side by side still see each other. visits-3 and -4 left in the
      // test before: the pods that ran then may still list them as missing.
      const forgotten = ['visits-3', 'visits-4'];
      await expectFleetWherePossible(counts, { forgotten });

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
        expect([imageOf(p), revisionOf(p)]).toEqual([
          cluster.canaryImage,
          done.status.updateRevision,
        ]);
      }
      await expectCounts(counts);
      await expectFleetWherePossible(counts, { forgotten });
    });
  },
);
