import { DiscoveryError, type Discovery } from './discovery.js';
import { fanOut } from './fan-out.js';
import type { FleetPod, FleetSnapshot, FleetSource } from './fleet.types.js';
import { compareByOrdinal } from './ordinal.js';
import {
  askPeer,
  PeerError,
  type AskOptions,
  type PeerAnswer,
  type PeerTarget,
} from './peer-client.js';

/** This pod, read locally at every snapshot (never over the network, never cached). */
export interface SelfState {
  readonly pod: string;
  readonly count: number;
  readonly ready: boolean;
}

export interface FleetOptions {
  readonly discovery: Discovery;
  readonly self: () => SelfState;
  /** Whether a discovered address is this process (it is then not asked). */
  readonly isSelf: (target: PeerTarget) => boolean;
  /** How long one peer may take; discovery and all peers together get twice this. */
  readonly timeoutMs: number;
  /** @default askPeer (HTTP) */
  readonly ask?: (target: PeerTarget, options: AskOptions) => Promise<PeerAnswer>;
  /** @default Date.now */
  readonly now?: () => number;
  /** Peers asked at once. @default 16 */
  readonly maxInFlight?: number;
  /** How long an answer is reused. @default 1000 */
  readonly cacheMs?: number;
  /** How long a pod that left the DNS answer is still listed as missing. @default 300000 */
  readonly forgetAfterMs?: number;
}

/** What one round of asking found, apart from this pod. */
interface Round {
  readonly at: number;
  readonly peers: readonly FleetPod[];
  readonly discoveryError?: string;
}

interface Seen {
  readonly address: string;
  readonly at: number;
}

const seconds = (ms: number) => `${Math.max(0, Math.round(ms / 1000))} s`;

/**
 * The fleet view's core, free of any framework: finds the peers, asks them all in parallel (at
 * most `maxInFlight` at once, each within `timeoutMs`, everything within twice that), and keeps
 * the answer for `cacheMs`. Callers that arrive meanwhile share the round in flight.
 */
export class Fleet {
  private readonly ask: NonNullable<FleetOptions['ask']>;
  private readonly now: () => number;
  private readonly maxInFlight: number;
  private readonly cacheMs: number;
  private readonly forgetAfterMs: number;
  private last: Round | undefined;
  private inFlight: Promise<Round> | undefined;
  /** Pods that answered, by name: where and when they last did. */
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly options: FleetOptions) {
    this.ask = options.ask ?? askPeer;
    this.now = options.now ?? Date.now;
    this.maxInFlight = options.maxInFlight ?? 16;
    this.cacheMs = options.cacheMs ?? 1000;
    this.forgetAfterMs = options.forgetAfterMs ?? 300_000;
  }

  /** Whole answers of every call are within this of the call (the overall deadline). */
  get deadlineMs(): number {
    return 2 * this.options.timeoutMs;
  }

  /** Every pod and its count: the peers as last asked (at most cacheMs ago), this pod as of now. */
  async snapshot(): Promise<FleetSnapshot> {
    const last = this.last;
    const round =
      last !== undefined && this.now() - last.at < this.cacheMs
        ? last
        : await (this.inFlight ??= this.gather()
            .then((fresh) => (this.last = fresh))
            .finally(() => (this.inFlight = undefined)));
    return this.compose(round);
  }

  private compose(round: Round): FleetSnapshot {
    const self = this.options.self();
    // A pod listed once: this pod from its own store, a peer found at two addresses once.
    const names = new Set([self.pod]);
    const pods = [
      { pod: self.pod, count: self.count, self: true, ready: self.ready },
      ...round.peers.filter((p) => p.pod === null || (!names.has(p.pod) && names.add(p.pod))),
    ].sort(byPod);
    const source: FleetSource =
      round.discoveryError === undefined || this.options.discovery.source.via !== 'dns'
        ? this.options.discovery.source
        : { ...this.options.discovery.source, error: round.discoveryError };
    return {
      pods,
      total: pods.reduce((sum, p) => sum + (p.count ?? 0), 0),
      complete:
        source.via !== 'none' &&
        round.discoveryError === undefined &&
        pods.every((p) => p.error === undefined),
      source,
      askedAt: new Date(round.at).toISOString(),
    };
  }

  private async gather(): Promise<Round> {
    const deadline = new AbortController();
    const timer = setTimeout(
      () => deadline.abort(new PeerError(`no answer before the ${this.deadlineMs} ms deadline`)),
      this.deadlineMs,
    );
    try {
      let targets: PeerTarget[] = [];
      let discoveryError: string | undefined;
      try {
        targets = await this.options.discovery.find(deadline.signal);
      } catch (error) {
        discoveryError = error instanceof DiscoveryError ? error.message : String(error);
      }
      targets = targets.filter((t) => !this.options.isSelf(t));
      const from = this.options.self().pod;
      const outcomes = await fanOut(
        targets,
        (target, signal) => this.ask(target, { timeoutMs: this.options.timeoutMs, signal, from }),
        { maxInFlight: this.maxInFlight, signal: deadline.signal },
      );
      const at = this.now();
      const peers = targets.map((target, i): FleetPod => {
        const outcome = outcomes[i]!;
        if (outcome.ok) {
          const { pod, count, ready } = outcome.value;
          this.seen.set(pod, { address: target.address, at });
          return { pod, address: target.address, count, self: false, ready };
        }
        const error = outcome.started
          ? describe(outcome.error)
          : `not asked: the ${this.deadlineMs} ms deadline passed first`;
        return {
          pod: this.nameAt(target.address),
          address: target.address,
          count: null,
          self: false,
          ready: false,
          error,
        };
      });
      return {
        at,
        peers: [...peers, ...this.missing(peers, at, discoveryError)],
        ...(discoveryError === undefined ? {} : { discoveryError }),
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The name a pod answered with at `address`, the last time one did. */
  private nameAt(address: string): string | null {
    let found: string | null = null;
    let at = -Infinity;
    for (const [pod, seen] of this.seen) {
      if (seen.address === address && seen.at > at) [found, at] = [pod, seen.at];
    }
    return found;
  }

  /**
   * Pods that answered before but were not found this time: a DNS name drops a pod while it is
   * deleted and re-created, and a dropped pod is listed as missing rather than silently left out,
   * until `forgetAfterMs` after its last answer (scaled down for good, presumably).
   */
  private missing(listed: readonly FleetPod[], at: number, discoveryError?: string): FleetPod[] {
    for (const [pod, seen] of this.seen) {
      if (at - seen.at >= this.forgetAfterMs) this.seen.delete(pod);
    }
    if (!this.options.discovery.shrinks) return [];
    const names = new Set([this.options.self().pod, ...listed.map((p) => p.pod)]);
    const missing: FleetPod[] = [];
    for (const [pod, seen] of this.seen) {
      if (names.has(pod)) continue;
      const why =
        discoveryError === undefined
          ? `not in the DNS answer any more (last answered ${seconds(at - seen.at)} ago at ${seen.address})`
          : `not asked: ${discoveryError}`;
      missing.push({
        pod,
        address: seen.address,
        count: null,
        self: false,
        ready: false,
        error: why,
      });
    }
    return missing;
  }
}

function describe(error: unknown): string {
  return error instanceof PeerError ? error.message : `failed: ${String(error)}`;
}

/** By name and ordinal; addresses that never answered (no name) last, by address. */
function byPod(a: FleetPod, b: FleetPod): number {
  if (a.pod !== null && b.pod !== null) return compareByOrdinal(a.pod, b.pod);
  if (a.pod !== null) return -1;
  if (b.pod !== null) return 1;
  return compareByOrdinal(a.address ?? '', b.address ?? '');
}
