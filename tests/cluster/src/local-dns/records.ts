// The records a cluster DNS serves for Services, as CoreDNS's kubernetes plugin serves them
// (https://github.com/kubernetes/dns/blob/master/docs/specification.md), written as a hosts
// file for dnsmasq. Only A records: the suite and the service ask for nothing else.
//
// - A Service with a cluster IP: <service>.<namespace>.svc.<domain> → that IP.
// - A headless Service: the same name → every address of its Endpoints (the endpoints
//   controller lists not-ready pods there too when the Service publishes them), and
//   <hostname>.<service>.<namespace>.svc.<domain> → the address of each endpoint with a
//   hostname (a StatefulSet's pods: hostname = pod name, subdomain = the Service).
// - ExternalName Services (a CNAME) and Services without addresses: no record.

export interface Service {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly spec: { readonly type?: string; readonly clusterIP?: string };
}

export interface Endpoints {
  readonly metadata: { readonly name: string; readonly namespace: string };
  readonly subsets?: readonly {
    readonly addresses?: readonly { readonly ip: string; readonly hostname?: string }[];
  }[];
}

/** One address and the names that resolve to it. */
export interface HostsLine {
  readonly ip: string;
  readonly names: readonly string[];
}

const key = (m: { name: string; namespace: string }) => `${m.namespace}/${m.name}`;

/** The A records of these Services, one line per address, in a stable order. */
export function serviceRecords(
  services: readonly Service[],
  endpoints: readonly Endpoints[],
  domain = 'cluster.local',
): HostsLine[] {
  const endpointsOf = new Map(endpoints.map((e) => [key(e.metadata), e]));
  const names = new Map<string, Set<string>>();
  const add = (ip: string, name: string) => {
    const set = names.get(ip) ?? new Set<string>();
    set.add(name);
    names.set(ip, set);
  };
  for (const service of services) {
    if (service.spec.type === 'ExternalName') continue;
    const { name, namespace } = service.metadata;
    const fqdn = `${name}.${namespace}.svc.${domain}`;
    const clusterIP = service.spec.clusterIP;
    if (clusterIP && clusterIP !== 'None') {
      add(clusterIP, fqdn);
      continue;
    }
    for (const subset of endpointsOf.get(key(service.metadata))?.subsets ?? []) {
      for (const address of subset.addresses ?? []) {
        add(address.ip, fqdn);
        if (address.hostname) add(address.ip, `${address.hostname}.${fqdn}`);
      }
    }
  }
  return [...names]
    .map(([ip, set]) => ({ ip, names: [...set].sort() }))
    .sort((a, b) => (a.names[0] ?? '').localeCompare(b.names[0] ?? '') || a.ip.localeCompare(b.ip));
}

/** The lines as an /etc/hosts-format file (dnsmasq's --addn-hosts). */
export function hostsFile(lines: readonly HostsLine[]): string {
  return lines.map((l) => `${l.ip} ${l.names.join(' ')}\n`).join('');
}
