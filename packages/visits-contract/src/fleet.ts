/** One peer of the fleet view, as `FLEET_PEERS` lists it. */
export interface PeerAddress {
  /** A DNS name, an IPv4 address or an IPv6 address (without brackets). */
  readonly host: string;
  readonly port: number;
}

const DNS_LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * A DNS name the fleet view can resolve: labels of letters, digits, `-` and `_`, at most 253
 * characters, an optional final dot (a name that is already absolute).
 */
export function isDnsName(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  return name.length > 0 && name.length <= 253 && name.split('.').every((l) => DNS_LABEL.test(l));
}

function isIpv6(value: string): boolean {
  // Hex groups and colons (with at most one `::`), or an IPv4 tail; the kernel has the last word.
  return /^[0-9a-f:.]+$/i.test(value) && value.includes(':') && value.split('::').length <= 2;
}

/** `host:port` as a URL authority: IPv6 addresses in brackets. */
export function formatPeerAddress({ host, port }: PeerAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** One entry of `FLEET_PEERS`: `name:port`, `1.2.3.4:port` or `[::1]:port`; undefined if malformed. */
export function parsePeerAddress(entry: string): PeerAddress | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(entry);
  if (!match) return undefined;
  const [, v6, name, digits] = match;
  const port = Number(digits);
  if (port < 1 || port > 65535) return undefined;
  if (v6 !== undefined) return isIpv6(v6) ? { host: v6.toLowerCase(), port } : undefined;
  const host = (name ?? '').toLowerCase();
  return IPV4.test(host) || isDnsName(host) ? { host, port } : undefined;
}

export type PeerListResult =
  | { readonly ok: true; readonly peers: readonly PeerAddress[] }
  | { readonly ok: false; readonly problem: string };

/** `FLEET_PEERS`: comma-separated `host:port` entries, each at most once. */
export function parsePeerList(value: string): PeerListResult {
  const peers: PeerAddress[] = [];
  const seen = new Set<string>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    const peer = parsePeerAddress(entry);
    if (peer === undefined) {
      return {
        ok: false,
        problem:
          entry === ''
            ? 'has an empty entry: separate host:port entries with single commas'
            : `has "${entry}", which is not host:port (a DNS name, an IPv4 address or an [IPv6] address, then a port 1–65535)`,
      };
    }
    const key = formatPeerAddress(peer);
    if (seen.has(key)) return { ok: false, problem: `lists ${key} twice: list each peer once` };
    seen.add(key);
    peers.push(peer);
  }
  return { ok: true, peers };
}
