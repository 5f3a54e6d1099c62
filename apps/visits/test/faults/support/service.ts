import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { request } from './http.js';

/** The built service: what the image runs. */
export const MAIN = fileURLToPath(new URL('../../../dist/visits.cjs', import.meta.url));

/** Preload modules (node --import) that inject faults without seams in the production code. */
export const preload = {
  /** Records every write, truncate, rename and sync in DATA_DIR to FAULT_POWER_LOG. */
  powerLoss: fileURLToPath(new URL('../preload/power-loss-recorder.ts', import.meta.url)),
  /** Fails the journal's writes or syncs after a number of them (FAULT_IO_*). */
  ioFaults: fileURLToPath(new URL('../preload/io-faults.ts', import.meta.url)),
  /** Shifts Date.now by the next FAULT_CLOCK_JUMPS step on every SIGUSR2. */
  clockJumps: fileURLToPath(new URL('../preload/clock-jumps.ts', import.meta.url)),
} as const;

export function assertBuilt(): void {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run "npm run build" first (turbo does it for the suite)`);
}

export interface ServiceOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Modules loaded with --import before the service. */
  readonly preload?: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export type LogLine = Record<string, unknown> & { level?: string; msg?: string };

const children = new Set<ChildProcess>();

/** Kills (SIGKILL) every service a test started and left running; for afterEach/afterAll. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
      children.delete(child);
    }),
  );
}

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The built service as a child process on 127.0.0.1, with its output captured. */
export class ServiceProcess {
  private out = '';
  readonly exited: Promise<Exit>;

  private constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.out += d.toString()));
    this.exited = once(child, 'exit').then(([code, signal]) => {
      children.delete(child);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  /** Starts the process without waiting for it. */
  static async spawn(dataDir: string, options: ServiceOptions = {}): Promise<ServiceProcess> {
    const port = await freePort();
    const args = [...(options.preload ?? []).flatMap((m) => ['--import', m]), MAIN];
    const child = spawn(process.execPath, args, {
      env: {
        ...process.env,
        // Type stripping for the preload modules is stable enough; its warning is noise here.
        NODE_NO_WARNINGS: '1',
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        POD_NAME: 'faults-0',
        ...options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    children.add(child);
    return new ServiceProcess(child, `http://127.0.0.1:${port}`);
  }

  /** Starts the process and waits until /health/ready answers 200. */
  static async start(dataDir: string, options: ServiceOptions = {}): Promise<ServiceProcess> {
    return (await ServiceProcess.spawn(dataDir, options)).ready();
  }

  get pid(): number {
    return this.child.pid!;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls readiness; rejects with the output when the process exits first or never gets ready. */
  async ready(timeoutMs = 20_000): Promise<this> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) {
        const exit = await this.exited;
        throw new Error(
          `the service exited (code ${exit.code}, signal ${exit.signal}) before it was ready:\n${this.out}`,
        );
      }
      try {
        const reply = await request(`${this.url}/health/ready`, { timeoutMs: 2_000 });
        if (reply.status === 200) return this;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(`the service did not become ready in ${timeoutMs} ms:\n${this.out}`);
      }
      await delay(10);
    }
  }

  output(): string {
    return this.out;
  }

  /** The JSON log lines on stdout (anything else, such as stderr text, is left out). */
  logLines(): LogLine[] {
    return this.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .flatMap((l) => {
        try {
          return [JSON.parse(l) as LogLine];
        } catch {
          return [];
        }
      });
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill9(): Promise<Exit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  /** SIGTERM, then waits for the exit. */
  async stop(): Promise<Exit> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited;
  }
}

export interface Ended extends Exit {
  readonly output: string;
  readonly lines: LogLine[];
  readonly ms: number;
}

/** Runs a start that is expected to fail by itself; kills it and fails if it is still up after timeoutMs. */
export async function runToExit(
  dataDir: string,
  options: ServiceOptions = {},
  timeoutMs = 20_000,
): Promise<Ended> {
  const started = Date.now();
  const service = await ServiceProcess.spawn(dataDir, options);
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  const exit = await service.exited;
  clearTimeout(timer);
  return { ...exit, output: service.output(), lines: service.logLines(), ms: Date.now() - started };
}

/** Matches a stack frame ("    at fn (file:line)") in output. */
export const STACK_FRAME = /\n\s+at \S/;
