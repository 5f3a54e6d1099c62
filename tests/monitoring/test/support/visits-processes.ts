// Starts the built service (apps/visits/dist/visits.cjs, what the image runs) as real processes.
// The only place this suite spawns the service: to be replaced by the shared harness.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, waitFor } from './wait.js';

export const MAIN = fileURLToPath(
  new URL('../../../../apps/visits/dist/visits.cjs', import.meta.url),
);

export interface VisitsProcess {
  /** Its POD_NAME, also the `pod` label Prometheus gives its series. */
  readonly name: string;
  /** Where the visit routes answer. */
  readonly serviceUrl: string;
  /** `host:port` where /metrics answers: the ops port when the service has one, else PORT. */
  readonly metricsTarget: string;
  readonly child: ChildProcess;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Starts one process per name, each with its own data directory, PORT and OPS_PORT on loopback,
 * and waits until it is ready. Readiness and /metrics are looked for on OPS_PORT first and on PORT
 * otherwise: a service without an ops port serves them on PORT.
 */
export async function startVisitsProcesses(names: readonly string[]): Promise<VisitsProcess[]> {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: build the service first (npm run build; turbo does it)`);
  }
  return Promise.all(names.map((name) => startOne(name)));
}

async function startOne(name: string): Promise<VisitsProcess> {
  const dataDir = await mkdtemp(join(tmpdir(), `monitoring-${name}-`));
  const port = await freePort();
  const opsPort = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      PORT: String(port),
      OPS_PORT: String(opsPort),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      POD_NAME: name,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit');

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  const readyOn = async (p: number) => (await fetch(`http://127.0.0.1:${p}/health/ready`)).ok;
  let metricsPort: number;
  try {
    metricsPort = await waitFor(
      `${name} to become ready on port ${opsPort} (OPS_PORT) or ${port} (PORT)`,
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
        }
        for (const p of [opsPort, port]) {
          if (await readyOn(p).catch(() => false)) return p;
        }
        return undefined;
      },
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    name,
    serviceUrl: `http://127.0.0.1:${port}`,
    metricsTarget: `127.0.0.1:${metricsPort}`,
    child,
    output: () => output,
    stop,
  };
}
