// Whether the cluster enforces NetworkPolicy. Nothing in the API says so (a cluster whose network
// plugin ignores policies accepts them all the same), so it is found out the only reliable way:
// a deny-all ingress policy on one pod, and a request from another that it must then stop. Run
// before the product's own NetworkPolicy is applied, so that policy's rules cannot mask the result.
import type { ClusterClient } from './cluster-client.js';

/** The label that puts a pod under the probe's deny-all policy while it runs. */
const PROBE_LABEL = 'stateful-visits.test/network-policy-probe';
const PROBE_POLICY = 'stateful-visits-test-network-policy-probe';

// Runs in the asking pod (the image has node, not curl): one request, "open" or "blocked".
const REACH_SCRIPT = `fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then(
  (r) => console.log('open ' + r.status),
  (e) => console.log('blocked ' + (e.cause?.code ?? e.name)),
);`;

export interface ProbeOptions {
  /** The pod that asks. */
  readonly from: string;
  /** The pod the deny-all policy covers for the probe's duration. */
  readonly to: string;
  readonly container: string;
  readonly port: number;
  readonly path: string;
  /** How long a plugin may take to program a new policy. */
  readonly waitMs?: number;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether `from` can open `to`'s `port` now ("open") or not ("blocked"). */
export async function reach(
  client: ClusterClient,
  from: string,
  container: string,
  url: string,
): Promise<'open' | 'blocked'> {
  const out = await client.kubectl([
    'exec',
    from,
    '-c',
    container,
    '--',
    'node',
    '-e',
    REACH_SCRIPT,
    url,
  ]);
  return out.startsWith('open') ? 'open' : 'blocked';
}

/** True when a deny-all ingress policy on `to` stops `from` reaching it within `waitMs`. */
export async function enforcesNetworkPolicy(
  client: ClusterClient,
  options: ProbeOptions,
): Promise<boolean> {
  const { from, to, container, port, path, waitMs = 15_000 } = options;
  const ip = (await client.json<{ status: { podIP?: string } }>(['get', 'pod', to])).status.podIP;
  if (!ip) throw new Error(`network policy probe: pod ${to} has no address`);
  const url = `http://${ip}:${port}${path}`;
  if ((await reach(client, from, container, url)) !== 'open') {
    throw new Error(
      `network policy probe: ${from} cannot reach ${url} even before the probe policy`,
    );
  }
  const policy = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: PROBE_POLICY },
    spec: { podSelector: { matchLabels: { [PROBE_LABEL]: 'deny' } }, policyTypes: ['Ingress'] },
  };
  let blocked = false;
  try {
    await client.kubectl(['label', 'pod', to, `${PROBE_LABEL}=deny`]);
    await client.kubectl(['apply', '-f', '-'], { input: JSON.stringify(policy) });
    const deadline = Date.now() + waitMs;
    while (!blocked && Date.now() < deadline) {
      blocked = (await reach(client, from, container, url)) === 'blocked';
      if (!blocked) await pause(1_000);
    }
  } finally {
    await client.kubectl(['delete', 'networkpolicy', PROBE_POLICY, '--ignore-not-found']);
    await client.kubectl(['label', 'pod', to, `${PROBE_LABEL}-`]);
  }
  if (blocked) {
    // Open again before anything else runs.
    const deadline = Date.now() + 60_000;
    while ((await reach(client, from, container, url)) !== 'open') {
      if (Date.now() > deadline) {
        throw new Error(
          `network policy probe: ${url} stayed blocked after the probe policy was removed`,
        );
      }
      await pause(1_000);
    }
  }
  return blocked;
}
