import { Resolver } from 'node:dns/promises';
import { formatPeerAddress, type PeerAddress } from '@stateful-visits/visits-contract';
import type { FleetDiscoveryConfig, FleetSource } from './fleet.types.js';
import type { PeerTarget } from './peer-client.js';

/** The pods could not be found: the message says what failed, for people. */
export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
}

/** Finds the addresses of the fleet's pods, each time it is asked. */
export interface Discovery {
  readonly source: FleetSource;
  /**
   * Whether the list can lose a pod that still belongs to the fleet (a DNS name drops a pod while
   * it is re-created): the fleet then remembers pods it has seen and lists them as missing.
   */
  readonly shrinks: boolean;
  /** @throws {DiscoveryError} */
  find(signal: AbortSignal): Promise<PeerTarget[]>;
}

export const NOT_CONFIGURED =
  'the fleet view is not configured: set FLEET_DNS (in Kubernetes, the headless Service) or ' +
  'FLEET_PEERS (host:port list) to see the other pods';

const target = (peer: PeerAddress): PeerTarget => ({ ...peer, address: formatPeerAddress(peer) });

/** A fixed list of peers (`FLEET_PEERS`). */
export function staticDiscovery(peers: readonly PeerAddress[]): Discovery {
  const targets = peers.map(target);
  return {
    source: { via: 'peers', peers: targets.map((t) => t.address) },
    shrinks: false,
    find: async () => [...targets],
  };
}

export function noDiscovery(): Discovery {
  return { source: { via: 'none', note: NOT_CONFIGURED }, shrinks: false, find: async () => [] };
}

const dnsError = (error: unknown) => String((error as { code?: unknown }).code ?? error);

export interface DnsDiscoveryOptions {
  /** How long a query may take (c-ares' timeout, one try). */
  readonly timeoutMs: number;
  /** DNS servers to ask instead of the system's (`/etc/resolv.conf`); for tests. */
  readonly servers?: readonly string[];
}

/**
 * Every A and AAAA record of `name`, each asked on `port`: a headless Service's name answers with
 * every pod's address (ready or not, when it publishes not-ready addresses). Asked again at every
 * call, straight from DNS (node:dns's resolver, not getaddrinfo, so no cache in between).
 */
export function dnsDiscovery(name: string, port: number, options: DnsDiscoveryOptions): Discovery {
  const resolver = new Resolver({ timeout: options.timeoutMs, tries: 1 });
  if (options.servers) resolver.setServers([...options.servers]);
  return {
    source: { via: 'dns', name },
    shrinks: true,
    async find(signal) {
      const cancel = () => resolver.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      try {
        const [v4, v6] = await Promise.allSettled([
          resolver.resolve4(name),
          resolver.resolve6(name),
        ]);
        const addresses = [v4, v6].flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
        if (addresses.length > 0) {
          return addresses.map((host) => target({ host, port }));
        }
        const codes = [v4, v6].map((r) =>
          r.status === 'rejected' ? dnsError(r.reason) : 'ENODATA',
        );
        if (codes.every((c) => c === 'ENODATA' || c === 'ENOTFOUND')) {
          throw new DiscoveryError(
            codes.includes('ENOTFOUND')
              ? `DNS has no name ${name} (ENOTFOUND): check FLEET_DNS and that the headless Service exists`
              : `DNS knows ${name} but it has no addresses (ENODATA): no pod is published yet`,
          );
        }
        const code = codes.find((c) => c !== 'ENODATA' && c !== 'ENOTFOUND')!;
        throw new DiscoveryError(
          code === 'ECANCELLED'
            ? `DNS did not answer for ${name} before the deadline`
            : `DNS lookup of ${name} failed (${code})`,
        );
      } finally {
        signal.removeEventListener('abort', cancel);
      }
    },
  };
}

export function discoveryFor(config: FleetDiscoveryConfig, timeoutMs: number): Discovery {
  switch (config.via) {
    case 'dns':
      return dnsDiscovery(config.name, config.port, { timeoutMs });
    case 'peers':
      return staticDiscovery(config.peers);
    case 'none':
      return noDiscovery();
  }
}
