// Keeps dnsmasq's hosts file equal to the Services' DNS records of the local cluster (which has
// no CoreDNS: Debian does not package it). Polls the API server twice a second, writes the file
// atomically when the records change and sends dnsmasq SIGHUP, which rereads it. Started and
// stopped by scripts/local-cluster/up.sh and down.sh.
//
//   node main.ts --server https://127.0.0.1:36443 --ca ca.crt --cert admin.crt --key admin.key \
//     --hosts /var/lib/…/dns/hosts --dnsmasq-pid 1234
import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { parseArgs } from 'node:util';
import { hostsFile, serviceRecords, type Endpoints, type Service } from './records.ts';

const { values } = parseArgs({
  options: {
    server: { type: 'string' },
    ca: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    hosts: { type: 'string' },
    'dnsmasq-pid': { type: 'string' },
    domain: { type: 'string', default: 'cluster.local' },
    'interval-ms': { type: 'string', default: '500' },
  },
});
const required = (name: keyof typeof values): string => {
  const value = values[name];
  if (!value) {
    console.error(`local-dns: --${name} is required (see the top of ${import.meta.filename})`);
    process.exit(2);
  }
  return value;
};
const server = required('server');
const hostsPath = required('hosts');
const dnsmasqPid = Number(required('dnsmasq-pid'));
const intervalMs = Number(values['interval-ms']);
const agent = new Agent({
  ca: readFileSync(required('ca')),
  cert: readFileSync(required('cert')),
  key: readFileSync(required('key')),
  keepAlive: true,
});

function list<T>(path: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const req = request(`${server}${path}`, { agent, timeout: 5_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) reject(new Error(`GET ${path}: ${res.statusCode} ${text}`));
        else resolve((JSON.parse(text) as { items: T[] }).items);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

let written: string | undefined;
let failing = false;
for (;;) {
  try {
    process.kill(dnsmasqPid, 0);
  } catch {
    console.error(`local-dns: dnsmasq (pid ${dnsmasqPid}) is gone; stopping`);
    process.exit(1);
  }
  try {
    const [services, endpoints] = await Promise.all([
      list<Service>('/api/v1/services'),
      list<Endpoints>('/api/v1/endpoints'),
    ]);
    const lines = serviceRecords(services, endpoints, values.domain);
    const text = hostsFile(lines);
    if (text !== written) {
      await writeFile(`${hostsPath}.next`, text, { mode: 0o644 });
      await rename(`${hostsPath}.next`, hostsPath);
      process.kill(dnsmasqPid, 'SIGHUP');
      written = text;
      console.log(`local-dns: ${lines.length} addresses, ${new Date().toISOString()}`);
    }
    if (failing) console.log('local-dns: the API server answers again');
    failing = false;
  } catch (error) {
    // The API server restarting is not a reason to stop: the records stay as they were.
    if (!failing) console.error(`local-dns: ${String(error)}; keeping the last records`);
    failing = true;
  }
  await new Promise((r) => setTimeout(r, intervalMs));
}
