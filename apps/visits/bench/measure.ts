// Measurement: starts the servers through the test harness, drives them with wrk and the harness's
// visit load, and reads CPU and memory from /proc. Returns figures; report.ts renders them.
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { countOf } from '../test/harness/http.ts';
import { VisitLoad } from '../test/harness/load.ts';
import { ServiceProcess } from '../test/harness/service-process.ts';
import {
  servers,
  settings,
  type ColdStarts,
  type Exactness,
  type Measured,
  type Scenario,
  type ServerId,
} from './scenarios.ts';

/** Server on CPU 0 (its libuv pool too), wrk on CPU 1: neither starves the other. */
export const canPin = cpus().length >= 2 && spawnSync('taskset', ['-V']).status === 0;

async function startServer(
  id: ServerId,
  options: { pin: boolean; dataDir?: string; env?: Record<string, string> },
): Promise<ServiceProcess> {
  const server = servers[id];
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'visits-bench-')));
  return ServiceProcess.start(dataDir, {
    script: server.script,
    nodeArgs: server.nodeArgs,
    env: { ...server.env, ...options.env },
    opsPort: server.opsPort,
    stdout: 'discard',
    ...(options.pin ? { cpu: 0 } : {}),
  });
}

/** Stops a server; removes its data directory unless it is to be reused. */
async function stopServer(server: ServiceProcess, keepData = false): Promise<void> {
  await server.stop();
  if (!keepData) await rm(server.dataDir, { recursive: true, force: true });
}

function kib(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) =>
    Number(new RegExp(`${field}:\\s+(\\d+)`).exec(s)?.[1] ?? Number.NaN),
  );
}

function parseMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value);
  if (!m) return Number.NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

/** CPU time in clock ticks (1/100 s): a process's own (all threads), or its reaped children's. */
async function cpuTicks(pid: number | 'self', children = false): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // Fields 14-17 of proc(5), counted from 1: utime stime cutime cstime; f[0] is field 3.
  return children ? f[13]! + f[14]! : f[11]! + f[12]!;
}

type Load = Omit<Measured, 'peakRssMiB'>;

async function wrk(
  url: string,
  method: string,
  seconds: number,
  pin: boolean,
  serverPid: number,
): Promise<Load> {
  const script = join(tmpdir(), `wrk-${method}.lua`);
  await writeFile(script, `wrk.method = "${method}"\n`);
  const command = [
    'wrk',
    `-t${settings.threads}`,
    `-c${settings.connections}`,
    `-d${seconds}s`,
    '--latency',
    '-s',
    script,
    url,
  ];
  const [cmd, ...args] = pin ? ['taskset', '-c', '1', ...command] : command;
  const [server0, wrk0] = [await cpuTicks(serverPid), await cpuTicks('self', true)];
  const started = performance.now();
  const out = spawnSync(cmd!, args, { encoding: 'utf8' });
  const elapsed = (performance.now() - started) / 1000;
  const [server1, wrk1] = [await cpuTicks(serverPid), await cpuTicks('self', true)];
  if (out.status !== 0) throw new Error(`wrk failed: ${out.stderr}`);
  const text = out.stdout;
  const num = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
  return {
    serverCpu: (server1 - server0) / elapsed,
    wrkCpu: (wrk1 - wrk0) / elapsed,
    requestsPerSecond: num(/Requests\/sec:\s+([\d.]+)/),
    // The latency distribution's own lines: "    99%    3.65ms". (The Latency line's "+/- Stdev"
    // column can also end in "99%", as in "98.99%".)
    p50Ms: parseMs(/^\s+50%\s+(\S+)/m.exec(text)?.[1] ?? ''),
    p99Ms: parseMs(/^\s+99%\s+(\S+)/m.exec(text)?.[1] ?? ''),
    requests: num(/(\d+) requests in/),
    errors: num(/Non-2xx or 3xx responses:\s+(\d+)/) || 0,
  };
}

/** One case: a warm-up run, then the measured run, then the server's peak RSS so far. */
async function measureCase(
  server: ServiceProcess,
  scenario: Scenario,
  pin: boolean,
): Promise<Measured> {
  const url = server.url + scenario.path;
  await wrk(url, scenario.method, settings.warmupSeconds, pin, server.pid);
  const load = await wrk(url, scenario.method, settings.durationSeconds, pin, server.pid);
  return { ...load, peakRssMiB: (await kib(server.pid, 'VmHWM')) / 1024 };
}

/**
 * Runs every case on its server, in order; consecutive cases on the same server and store share
 * one process. `stores` maps a store size to a prepared data directory.
 */
export async function measureCases(
  cases: readonly Scenario[],
  pin: boolean,
  stores: ReadonlyMap<number, string>,
): Promise<Record<string, Measured>> {
  const measured: Record<string, Measured> = {};
  let i = 0;
  while (i < cases.length) {
    const first = cases[i]!;
    const session = [first];
    while (
      cases[i + session.length]?.server === first.server &&
      cases[i + session.length]?.storeAt === first.storeAt
    )
      session.push(cases[i + session.length]!);
    const dataDir = first.storeAt === undefined ? undefined : stores.get(first.storeAt);
    const server = await startServer(first.server, { pin, ...(dataDir ? { dataDir } : {}) });
    for (const scenario of session)
      measured[scenario.id] = await measureCase(server, scenario, pin);
    await stopServer(server, dataDir !== undefined);
    i += session.length;
  }
  return measured;
}

/** Sends exactly `exactRequests` POSTs over keep-alive connections; then what the server counted. */
export async function exactness(id: ServerId, pin: boolean): Promise<Exactness> {
  const server = await startServer(id, { pin, env: { LOG_LEVEL: 'warn' } });
  const load = await VisitLoad.run(server.url, settings.exactRequests, settings.connections);
  const final = await countOf(server.url);
  await stopServer(server);
  return {
    sent: load.sent,
    acknowledged: load.acknowledged.length,
    distinct: load.distinct,
    final,
  };
}

/** A data directory holding a store that has counted `count` visits (the service adopts a plain count file). */
export async function storeAt(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'visits-bench-store-'));
  await writeFile(join(dir, 'visits'), `${count}\n`);
  await stopServer(await startServer('service', { pin: false, dataDir: dir }), true);
  return dir;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Process start to /health/ready = 200, and RSS one second later; on a new store or on `dataDir`. */
export async function coldStarts(pin: boolean, dataDir?: string): Promise<ColdStarts> {
  const times: number[] = [];
  const idleRss: number[] = [];
  for (let i = 0; i < settings.coldStartRuns; i++) {
    const server = await startServer('service', {
      pin,
      env: { LOG_LEVEL: 'warn' },
      ...(dataDir ? { dataDir } : {}),
    });
    times.push(server.readyMs ?? Number.NaN);
    await new Promise((r) => setTimeout(r, 1000));
    idleRss.push((await kib(server.pid, 'VmRSS')) / 1024);
    await stopServer(server, dataDir !== undefined);
  }
  return { medianMs: median(times), times, idleRssMiB: median(idleRss), idleRss };
}
