import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { join } from 'node:path';
import { HEALTH_PATHS } from '@stateful-visits/visits-contract';
import { request } from './http.ts';
import { APP_DIR } from './paths.ts';
import { freePort } from './ports.ts';
import { logLines, type Exit, type LogLine, type Service } from './service.ts';

/** The built service: what the image runs. */
export const MAIN = join(APP_DIR, 'dist', 'visits.cjs');

export function assertBuilt(): void {
  if (!existsSync(MAIN))
    throw new Error(`${MAIN} is missing: run "npm run build" first (turbo does it for the suites)`);
}

export interface ProcessOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** POD_NAME. @default 'visits-0' */
  readonly name?: string;
  /** What node runs: the built service, or a benchmark peer that answers the same paths. @default MAIN */
  readonly script?: string;
  /** node flags before the script (V8 flags, say). */
  readonly nodeArgs?: readonly string[];
  /** Modules loaded with --import before the script (the fault suite's preloads). */
  readonly preload?: readonly string[];
  readonly uid?: number;
  readonly gid?: number;
  /** Pins the process, all its threads, to this CPU (taskset). */
  readonly cpu?: number;
  /** PORT, when the caller needs it before the start (peers that list each other). @default a free port */
  readonly port?: number;
  /** 'discard' sends stdout to /dev/null: under load the access log is one line per request. @default 'capture' */
  readonly stdout?: 'capture' | 'discard';
  /**
   * Whether the script serves /health/* on an ops port of its own (OPS_PORT), as the service does;
   * a benchmark peer answers everything on PORT. @default true
   */
  readonly opsPort?: boolean;
}

const children = new Set<ChildProcess>();

/** Kills (SIGKILL) every process the harness started that is still running; for afterEach/afterAll. */
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

/** The service (or a peer) as a child process on 127.0.0.1 and a free port, its output captured. */
export class ServiceProcess implements Service {
  readonly child: ChildProcess;
  readonly name: string;
  readonly url: string;
  readonly opsUrl: string;
  readonly dataDir: string;
  readonly exited: Promise<Exit>;
  /** Milliseconds from spawning to the first 200 from /health/ready on the ops port (once ready() resolved). */
  readyMs: number | undefined;
  private out = '';
  private err = '';
  private readonly spawnedAt: number;

  private constructor(
    child: ChildProcess,
    name: string,
    url: string,
    opsUrl: string,
    dataDir: string,
    spawnedAt: number,
  ) {
    this.child = child;
    this.name = name;
    this.url = url;
    this.opsUrl = opsUrl;
    this.dataDir = dataDir;
    this.spawnedAt = spawnedAt;
    child.stdout?.on('data', (d: Buffer) => (this.out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => {
      this.out += d.toString();
      this.err += d.toString();
    });
    this.exited = once(child, 'exit').then(([code, signal]) => {
      children.delete(child);
      return { code: code as number | null, signal: signal as NodeJS.Signals | null };
    });
  }

  /** Starts the process without waiting for it. */
  static async spawn(dataDir: string, options: ProcessOptions = {}): Promise<ServiceProcess> {
    const port = options.port ?? (await freePort());
    const opsPort = options.opsPort === false ? port : await freePort();
    const name = options.name ?? 'visits-0';
    const node = [
      process.execPath,
      ...(options.nodeArgs ?? []),
      ...(options.preload ?? []).flatMap((m) => ['--import', m]),
      options.script ?? MAIN,
    ];
    const [command, ...args] =
      options.cpu === undefined ? node : ['taskset', '-c', String(options.cpu), ...node];
    const spawnedAt = performance.now();
    const child = spawn(command!, args, {
      env: {
        ...process.env,
        // Type stripping for the preload modules is stable enough; its warning is noise here.
        NODE_NO_WARNINGS: '1',
        DATA_DIR: dataDir,
        PORT: String(port),
        ...(options.opsPort === false ? {} : { OPS_PORT: String(opsPort) }),
        HOST: '127.0.0.1',
        POD_NAME: name,
        ...options.env,
      },
      stdio: ['ignore', options.stdout === 'discard' ? 'ignore' : 'pipe', 'pipe'],
      ...(options.uid === undefined ? {} : { uid: options.uid }),
      ...(options.gid === undefined ? {} : { gid: options.gid }),
    });
    children.add(child);
    const url = (p: number) => `http://127.0.0.1:${p}`;
    return new ServiceProcess(child, name, url(port), url(opsPort), dataDir, spawnedAt);
  }

  /**
   * Starts the process and waits until /health/ready answers 200 on the ops port, which the
   * service opens after the service port: then both answer.
   */
  static async start(dataDir: string, options: ProcessOptions = {}): Promise<ServiceProcess> {
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
        const reply = await request(`${this.opsUrl}${HEALTH_PATHS.ready}`, { timeoutMs: 2_000 });
        if (reply.status === 200) {
          this.readyMs = performance.now() - this.spawnedAt;
          return this;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        this.child.kill('SIGKILL');
        throw new Error(`the service did not become ready in ${timeoutMs} ms:\n${this.out}`);
      }
      await delay(5);
    }
  }

  /** stdout and stderr as they came. */
  output(): string {
    return this.out;
  }

  /** stderr alone (the service logs to stdout: anything here is Node's or a crash's). */
  stderr(): string {
    return this.err;
  }

  async logs(): Promise<string> {
    return this.out;
  }

  /** The JSON log lines on stdout (anything else, such as stderr text, is left out). */
  logLines(): LogLine[] {
    return logLines(this.out);
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  async kill(): Promise<Exit> {
    if (this.running) this.child.kill('SIGKILL');
    return this.exited;
  }

  async stop(): Promise<Exit> {
    if (this.running) this.child.kill('SIGTERM');
    return this.exited;
  }
}

export interface Ended extends Exit {
  readonly output: string;
  readonly stderr: string;
  readonly lines: LogLine[];
  readonly ms: number;
}

/** Runs a start that is expected to fail by itself; kills it and fails if it is still up after timeoutMs. */
export async function runToExit(
  dataDir: string,
  options: ProcessOptions = {},
  timeoutMs = 20_000,
): Promise<Ended> {
  const started = Date.now();
  const service = await ServiceProcess.spawn(dataDir, options);
  const timer = setTimeout(() => service.child.kill('SIGKILL'), timeoutMs);
  const exit = await service.exited;
  clearTimeout(timer);
  return {
    ...exit,
    output: service.output(),
    stderr: service.stderr(),
    lines: service.logLines(),
    ms: Date.now() - started,
  };
}
