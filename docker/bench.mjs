// Image figures, not a test: prints the image size, the size of the layers the app adds to its
// base, and cold start (container start until /health/ready answers 200), median of a few runs.
// It never fails on time.
//
//   node docker/bench.mjs [image]        # default stateful-visits/visits:dev, built when missing
//   BENCH_RUNS=7 node docker/bench.mjs
import { execFile, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const image = process.argv[2] ?? 'stateful-visits/visits:dev';
const runs = Number(process.env.BENCH_RUNS ?? 5);
const READY_TIMEOUT_MS = 60_000;

const docker = (...args) =>
  execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
const exists = (name) => {
  try {
    docker('image', 'inspect', name);
    return true;
  } catch {
    return false;
  }
};
const mb = (bytes) =>
  bytes < 1e5 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

if (!exists(image)) {
  const nodeImage =
    process.env.NODE_IMAGE ??
    (exists('node:24-bookworm-slim')
      ? 'node:24-bookworm-slim'
      : 'stateful-visits/node:24-bookworm-slim');
  console.log(`${image} is not present; building it from docker/Dockerfile on ${nodeImage}`);
  const started = Date.now();
  execFileSync(
    'docker',
    [
      'build',
      '-q',
      '-f',
      'docker/Dockerfile',
      '--build-arg',
      `NODE_IMAGE=${nodeImage}`,
      '-t',
      image,
      '.',
    ],
    { cwd: repoRoot, stdio: 'inherit' },
  );
  console.log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

// Sizes: the image, its base (named by the OCI base.name label), and the layers on top of the base.
const size = Number(docker('image', 'inspect', image, '--format', '{{.Size}}'));
const base = docker(
  'image',
  'inspect',
  image,
  '--format',
  '{{index .Config.Labels "org.opencontainers.image.base.name"}}',
);
const history = (name) =>
  docker('history', '--no-trunc', '--human=false', '--format', '{{.Size}}\t{{.CreatedBy}}', name)
    .split('\n')
    .map((line) => {
      const [bytes = '0', ...createdBy] = line.split('\t');
      return { bytes: Number(bytes), createdBy: createdBy.join('\t') };
    });
const baseLayers = base && exists(base) ? history(base).length : 0;
const imageHistory = history(image);
const appLayers = imageHistory
  .slice(0, imageHistory.length - baseLayers)
  .filter((l) => l.bytes > 0);
const appBytes = appLayers.reduce((sum, layer) => sum + layer.bytes, 0);

console.log(`\nimage            ${image}: ${mb(size)}`);
if (baseLayers > 0) console.log(`base             ${base}: ${mb(size - appBytes)}`);
console.log(`app layers       ${mb(appBytes)} in ${appLayers.length} layers`);
for (const layer of appLayers) {
  const what = layer.createdBy
    .replace(/^\|\d+ (\S+=\S* )*/, '') // build args of a RUN
    .replace(/^\/bin\/sh -c (#\(nop\) )?/, '')
    .replace(/(file|dir):[0-9a-f]{64} /, '')
    .slice(0, 90);
  console.log(`  ${mb(layer.bytes).padStart(9)}  ${what}`);
}

// Cold start: a fresh volume each run, the hardened runtime the manifests use.
const freePort = () =>
  new Promise((resolvePort, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
    server.on('error', reject);
  });

async function coldStart(index) {
  const name = `visits-bench-${process.pid}-${index}`;
  const port = await freePort();
  docker('volume', 'create', name);
  try {
    docker(
      'create',
      '--name',
      name,
      '--read-only',
      '--cap-drop',
      'ALL',
      '--security-opt',
      'no-new-privileges:true',
      '--tmpfs',
      '/tmp',
      '-v',
      `${name}:/data`,
      '-p',
      // Readiness is on the ops port (OPS_PORT, 8081 in the image), not on PORT.
      `127.0.0.1:${port}:8081`,
      image,
    );
    const started = performance.now();
    const starting = run('docker', ['start', name]);
    for (;;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health/ready`);
        await response.body?.cancel();
        if (response.status === 200) break;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > READY_TIMEOUT_MS)
        throw new Error(`${name} not ready in time`);
      await delay(5);
    }
    const readyMs = performance.now() - started;
    await starting;
    // How much of it is the process: the runtime's start time to the service's "listening" line.
    const startedAt = Date.parse(docker('inspect', '--format', '{{.State.StartedAt}}', name));
    const listening = execFileSync('docker', ['logs', name], { encoding: 'utf8' })
      .split('\n')
      .map((line) => {
        try {
          return JSON.parse(line);
        } catch {
          return undefined;
        }
      })
      .find((line) => line?.msg === 'visits service listening');
    const processMs = listening ? Date.parse(listening.time) - startedAt : Number.NaN;
    return { readyMs, processMs };
  } finally {
    docker('rm', '-f', '-v', name);
    docker('volume', 'rm', name);
  }
}

const results = [];
for (let i = 0; i < runs; i += 1) results.push(await coldStart(i));
const times = results.map((r) => r.readyMs);
console.log(
  `\ncold start       container start → /health/ready 200, ${runs} runs: median ${median(times).toFixed(0)} ms` +
    ` (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)}; ` +
    `${times.map((t) => t.toFixed(0)).join(', ')})`,
);
console.log(
  `  of which the process (runtime start → "listening" log line): median ${median(
    results.map((r) => r.processMs),
  ).toFixed(0)} ms`,
);
