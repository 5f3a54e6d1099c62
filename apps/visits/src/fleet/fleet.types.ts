import type { PeerAddress } from '@stateful-visits/visits-contract';

/** How the fleet view finds the other pods (from `FLEET_DNS` or `FLEET_PEERS`). */
export type FleetDiscoveryConfig =
  /** Every A and AAAA record of `name` (a headless Service), each asked on `port`. */
  | { readonly via: 'dns'; readonly name: string; readonly port: number }
  /** A fixed list (Docker Compose, local runs). */
  | { readonly via: 'peers'; readonly peers: readonly PeerAddress[] }
  /** Neither is set: the view shows this pod alone and says so. */
  | { readonly via: 'none' };

export interface FleetConfig {
  readonly discovery: FleetDiscoveryConfig;
  /** How long one peer may take to answer; the whole answer comes within twice this. */
  readonly timeoutMs: number;
}

/** One pod of the fleet as `GET /fleet` lists it. */
export interface FleetPod {
  /** Its pod name (as it reported it); null for an address that never answered. */
  readonly pod: string | null;
  /** `host:port` it was asked at; absent for this pod, which is never asked over the network. */
  readonly address?: string;
  /** The count its store held when it answered; null when it did not answer (never a made-up 0). */
  readonly count: number | null;
  /** Whether this is the pod that answered the request. */
  readonly self: boolean;
  /**
   * Whether it takes visits (its store is open and it is not shutting down). False when it did
   * not answer; null when it answered without saying (a version without the fleet view).
   */
  readonly ready: boolean | null;
  /** Why it has no count: what went wrong asking it. */
  readonly error?: string;
}

/** Where the list of pods came from, and what went wrong finding them. */
export type FleetSource =
  | { readonly via: 'dns'; readonly name: string; readonly error?: string }
  | { readonly via: 'peers'; readonly peers: readonly string[] }
  | { readonly via: 'none'; readonly note: string };

/** The answer of `GET /fleet`. */
export interface FleetSnapshot {
  /** Sorted by name and ordinal (`visits-2` before `visits-10`), addresses without a name last. */
  readonly pods: readonly FleetPod[];
  /** The sum of the counts that were answered. */
  readonly total: number;
  /** True when the pods were found and every one of them answered; `total` is the fleet's then. */
  readonly complete: boolean;
  readonly source: FleetSource;
  /** When the peers were asked (ISO 8601, UTC); this pod's own entry is always current. */
  readonly askedAt: string;
}
