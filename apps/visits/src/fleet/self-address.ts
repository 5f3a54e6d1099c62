import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { PeerTarget } from './peer-client.js';

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

/** Strips IPv6 brackets and zone, and maps IPv4-mapped IPv6 to IPv4, so addresses compare. */
function normalise(host: string): string {
  const bare = host
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '')
    .toLowerCase();
  return bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
}

/**
 * Whether a discovered address is this process: the port it listens on, at an address of this
 * machine it listens at (any local address when it listens on all of them). The headless
 * Service's name also resolves to the pod's own address; that one is not asked over the network.
 */
export function isOwnAddress(target: PeerTarget, listen: { host: string; port: number }): boolean {
  if (target.port !== listen.port) return false;
  const host = normalise(target.host);
  if (!WILDCARDS.has(listen.host)) return host === normalise(listen.host);
  if (isIP(host) === 4 && host.startsWith('127.')) return true;
  return Object.values(networkInterfaces())
    .flatMap((addresses) => addresses ?? [])
    .some((a) => normalise(a.address) === host);
}
