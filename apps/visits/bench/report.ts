// Rendering: the figures of one run as the console lines, the Markdown of docs/benchmarks.md and
// the bar chart docs/benchmarks.svg. Measures nothing.
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/harness/paths.ts';
import {
  exactnessChecks,
  mallocEnv,
  scenarios,
  serviceFlags,
  servers,
  settings,
  type Measured,
  type Ratio,
  type Results,
  type Target,
} from './scenarios.ts';

type Row = { name: string } & Measured;

const reqs = (x: Row) => Math.round(x.requestsPerSecond).toLocaleString('en');
const cpuCells = (x: Row) => `${x.serverCpu.toFixed(0)} | ${x.wrkCpu.toFixed(0)}`;

/** The measured cases of one configuration, in the scenarios' order, named by their titles. */
export function rowsOf(cases: Readonly<Record<string, Measured>>): Row[] {
  return scenarios.flatMap((s) => {
    const m = cases[s.id];
    return m === undefined ? [] : [{ name: s.title, ...m }];
  });
}

function mainTable(rows: Row[]): string {
  return [
    '| case | req/s | p50 ms | p99 ms | peak RSS MiB | server CPU % | wrk CPU % | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (x) =>
        `| ${x.name} | ${reqs(x)} | ${x.p50Ms.toFixed(2)} | ${x.p99Ms.toFixed(2)} | ${x.peakRssMiB.toFixed(1)} | ${cpuCells(x)} | ${x.errors} |`,
    ),
  ].join('\n');
}

function unpinnedTable(rows: Row[]): string {
  return [
    '| case | req/s | p50 ms | p99 ms | server CPU % | wrk CPU % |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (x) =>
        `| ${x.name} | ${reqs(x)} | ${x.p50Ms.toFixed(2)} | ${x.p99Ms.toFixed(2)} | ${cpuCells(x)} |`,
    ),
  ].join('\n');
}

function exactnessLines(r: Results): string[] {
  return exactnessChecks.flatMap((id) => {
    const e = r.exact[id];
    if (e === undefined) return [];
    const lost = e.acknowledged - e.final;
    return [
      `${servers[id].label}: ${e.sent} POSTs sent, ${e.acknowledged} acknowledged, ${e.distinct} distinct counts, final count ${e.final}` +
        (lost > 0 ? ` (${lost} updates lost)` : ''),
    ];
  });
}

/**
 * CPU the server spent per answered request, in µs: less sensitive than req/s to other work on a
 * shared machine, which takes CPU time away but adds little to each request's own.
 */
function cpuPerRequest(m: Measured): number {
  return ((m.serverCpu / 100) * 1e6) / m.requestsPerSecond;
}

/**
 * The cases measured on another configuration of the service beside the case they mirror
 * (`besides`): the access log comparison, `ACCESS_LOG=all` against the production `errors`.
 */
function besidesTable(cases: Readonly<Record<string, Measured>>): string | undefined {
  const pairs = scenarios.flatMap((s) => {
    const base = s.besides === undefined ? undefined : cases[s.besides];
    const other = cases[s.id];
    const baseScenario = scenarios.find((b) => b.id === s.besides);
    return base && other && baseScenario ? [{ base, other, baseScenario, scenario: s }] : [];
  });
  if (pairs.length === 0) return undefined;
  return [
    '| request | ACCESS_LOG=all req/s | ACCESS_LOG=errors req/s | errors ÷ all | p99 ms all / errors | server CPU µs per request all / errors |',
    '|---|---:|---:|---:|---:|---:|',
    ...pairs.map(
      ({ base, other, baseScenario }) =>
        `| ${baseScenario.method} ${baseScenario.path} | ${reqs({ name: '', ...base })} | ${reqs({ name: '', ...other })} | ` +
        `${(other.requestsPerSecond / base.requestsPerSecond).toFixed(2)} | ${base.p99Ms.toFixed(2)} / ${other.p99Ms.toFixed(2)} | ` +
        `${cpuPerRequest(base).toFixed(1)} / ${cpuPerRequest(other).toFixed(1)} |`,
    ),
  ].join('\n');
}

const formatValue = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));

function ratioLines(ratios: Ratio[]): string[] {
  return ratios.map((x) => `${x.name}: ${x.value.toFixed(2)}`);
}

function targetLines(targets: Target[]): string[] {
  return targets.map((t) => `${t.met ? 'met   ' : 'MISSED'} ${t.name}: ${formatValue(t.value)}`);
}

/** Everything a run prints, in order. */
export function consoleReport(r: Results, targets: Target[], ratios: Ratio[]): string {
  return [
    mainTable(rowsOf(r.cases)),
    ...(r.unpinnedCases ? ['', 'nothing pinned:', unpinnedTable(rowsOf(r.unpinnedCases))] : []),
    ...accessLogLines(r.cases),
    '',
    ...exactnessLines(r),
    '',
    'POST rates divided:',
    ...ratioLines(ratios),
    '',
    ...targetLines(targets),
  ].join('\n');
}

function accessLogLines(cases: Readonly<Record<string, Measured>>): string[] {
  const table = besidesTable(cases);
  return table === undefined
    ? []
    : ['', 'access log: every request (all) against the production setting (errors):', table];
}

const ms = (xs: number[]) => xs.map((t) => t.toFixed(0)).join(', ');

function accessLogSection(r: Results): string {
  const table = besidesTable(r.cases);
  return table === undefined
    ? ''
    : `The access log: every request logged (\`ACCESS_LOG=all\`, the default) against the production setting
(\`ACCESS_LOG=errors\`: answers ≥ 500 and requests slower than \`SLOW_REQUEST_MS\` only), same requests, same pinning:

${table}

`;
}

function markdown(r: Results, targets: Target[], ratios: Ratio[]): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const unpinned = r.unpinnedCases
    ? `With nothing pinned (same settings; the server's fsync and GC threads may run beside its event loop,
as in a pod; CPU is what each process used during the measured run, in % of one core, of 200):

${unpinnedTable(rowsOf(r.unpinnedCases))}

`
    : '';
  return `<!-- Generated by \`npm run bench\` (apps/visits/bench: scenarios.ts, measure.ts, report.ts); the analysis below the marker is kept by hand. -->
# Benchmarks

Last run: ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, Linux ${release()}, Node ${process.version}.
Settings: wrk, ${settings.connections} connections, ${settings.threads} thread, ${settings.warmupSeconds} s warm-up then ${settings.durationSeconds} s per case, on loopback;
${r.pinned ? 'the server pinned to CPU 0 and wrk to CPU 1 (taskset)' : 'no CPU pinning'}. The service is the production build
(\`MALLOC_ARENA_MAX=${mallocEnv.MALLOC_ARENA_MAX} MALLOC_MMAP_THRESHOLD_=${mallocEnv.MALLOC_MMAP_THRESHOLD_} node ${serviceFlags.join(' ')} dist/visits.cjs\`, \`NODE_ENV=production\`, \`LOG_LEVEL=info\`, logs to /dev/null)
with \`ACCESS_LOG=all\` (one log line per request, the default) unless a case says \`ACCESS_LOG=errors\` (the production overlay's setting: only answers ≥ 500 and slow requests).
Its two peers frame it: **the limit** for one Node process (\`bench/peers/group-commit.mjs\`: bare \`node:http\` with
the same group commit, acknowledging after \`fdatasync\`) and **the careful peer** (\`bench/peers/careful.mjs\`: one
visit at a time behind a lock, write the count, \`fdatasync\`, answer). Both are durable and exact, as the service is.
Between the limit and the service sits **the framework ceiling** (\`bench/peers/nest-ceiling.mjs\`: the service's app
shape, NestJS with the Fastify adapter and the same server options, run with the service's flags, and a POST route
that only answers): not durable, so not a peer, but it shows how much of the gap NestJS itself takes.
The two pictures are not peers: a constant answer, and the seeds' naive counter, which loses updates.

![requests per second](benchmarks.svg)

${mainTable(rowsOf(r.cases))}

${unpinned}${accessLogSection(r)}Exactness (a separate run of exactly ${settings.exactRequests.toLocaleString('en')} POSTs over ${settings.connections} keep-alive connections):
${exactnessLines(r)
  .map((l) => `- ${l}`)
  .join('\n')}

Cold start, process start to \`/health/ready\` = 200 (median of ${settings.coldStartRuns}): ${r.cold.medianMs.toFixed(0)} ms on a new store
(${ms(r.cold.times)}), ${r.coldBig.medianMs.toFixed(0)} ms on a store at ${settings.bigStoreCount.toLocaleString('en')} visits
(${ms(r.coldBig.times)}). Idle RSS one second after start (median of the same runs): ${r.cold.idleRssMiB.toFixed(1)} MiB
(${r.cold.idleRss.map((m) => m.toFixed(1)).join(', ')}).

## Where the gap to the limit lies

| POST rates divided | measured |
|---|---:|
${ratios.map((x) => `| ${x.name} | ${x.value.toFixed(2)} |`).join('\n')}

## Targets

| target | measured | |
|---|---:|---|
${targets.map((t) => `| ${t.name} | ${formatValue(t.value)} | ${t.met ? 'met' : '**missed**'} |`).join('\n')}

<!-- analysis -->
`;
}

export function chart(rows: Row[]): string {
  const width = 900;
  const barH = 26;
  const left = 480;
  const max = Math.max(...rows.map((r) => r.requestsPerSecond));
  const scale = (width - left - 90) / max;
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const bars = rows
    .map((r, i) => {
      const y = 40 + i * (barH + 10);
      const w = Math.max(1, r.requestsPerSecond * scale);
      return `<text x="${left - 8}" y="${y + 18}" text-anchor="end">${esc(r.name)}</text>
<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${i === 0 ? '#2b6cb0' : '#a0aec0'}"/>
<text x="${(left + w + 6).toFixed(1)}" y="${y + 18}">${Math.round(r.requestsPerSecond).toLocaleString('en')}</text>`;
    })
    .join('\n');
  const height = 50 + rows.length * (barH + 10);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">
<text x="10" y="22" font-size="15" font-weight="bold">Requests per second (${settings.connections} connections, loopback)</text>
${bars}
</svg>
`;
}

/** Writes docs/benchmarks.md (keeping the hand-written analysis below its marker) and docs/benchmarks.svg. */
export async function writeReport(r: Results, targets: Target[], ratios: Ratio[]): Promise<void> {
  await writeFile(join(REPO_ROOT, 'docs', 'benchmarks.svg'), chart(rowsOf(r.cases)));
  const path = join(REPO_ROOT, 'docs', 'benchmarks.md');
  const previous = await readFile(path, 'utf8').catch(() => '');
  const analysis = previous.includes('<!-- analysis -->')
    ? previous.split('<!-- analysis -->')[1]!.replace(/^\n/, '')
    : '';
  await writeFile(path, markdown(r, targets, ratios) + analysis);
}
