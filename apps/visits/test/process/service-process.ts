import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const MAIN = fileURLToPath(new URL('../../dist/visits.cjs', import.meta.url));

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

/** Starts the built service (dist/visits.cjs, what the image runs) and waits until it is ready. */
export async function startService(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: '127.0.0.1',
      POD_NAME: 'proc-0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = once(child, 'exit').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
  }));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`service exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`service did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, url, output: () => output, exited };
}

/**
 * Keeps `concurrency` clients posting visits until stopped; records every acknowledged count and
 * how many visits were attempted.
 */
export function loadVisits(url: string, concurrency: number) {
  const acknowledged: number[] = [];
  let attempted = 0;
  let running = true;
  const worker = async () => {
    while (running) {
      attempted++;
      try {
        const res = await fetch(`${url}/visits`, { method: 'POST' });
        if (res.status === 201) acknowledged.push(((await res.json()) as { count: number }).count);
        else await res.arrayBuffer();
      } catch {
        // connection refused or reset: the process is gone; the visit may or may not have been recorded
        if (running) await new Promise((r) => setTimeout(r, 5));
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    acknowledged,
    attempted: () => attempted,
    async stop() {
      running = false;
      await Promise.all(workers);
    },
  };
}
