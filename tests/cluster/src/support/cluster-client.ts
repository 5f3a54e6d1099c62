import { spawn } from 'node:child_process';
import type { Capabilities, SkippedCheck } from './capabilities.js';
import type { CompatibilityChange } from './compatibility.js';
import { run, type RunOptions } from './run.js';

/** Selects the visits pods (the selector labels of the StatefulSet). */
export const POD_SELECTOR = 'app.kubernetes.io/name=visits,app.kubernetes.io/instance=visits';

/** Where the suite's objects live: one context, one namespace. */
export interface ClusterAddress {
  /** A kubeconfig of the suite's own (a kind cluster it created), else KUBECONFIG's. */
  readonly kubeconfig: string | undefined;
  readonly context: string;
  readonly namespace: string;
}

/** What the global setup hands to the test file (through vitest's provide/inject). */
export type ClusterSuiteContext =
  | (ClusterAddress & {
      readonly available: true;
      /** e.g. "kind cluster sv-… (created by the suite)" or "context stateful-visits-local". */
      readonly description: string;
      readonly image: string;
      /** Same image, other tag: a new pod template for the rolling-update checks. */
      readonly canaryImage: string;
      readonly capabilities: Capabilities;
      readonly skipped: readonly SkippedCheck[];
      readonly compatibility: readonly CompatibilityChange[];
      /** The preStop delay of the deployed pods, in seconds (0: no preStop hook). */
      readonly preStopSeconds: number;
    })
  | { readonly available: false; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    cluster: ClusterSuiteContext;
  }
}

export interface Stream {
  /** Everything it printed, once it has ended. */
  readonly ended: Promise<string>;
  /** What it printed so far. */
  output(): string;
  /** Ends it (if still running) and resolves with everything it printed. */
  stop(): Promise<string>;
}

/** kubectl against one context and namespace only: every call names both. */
export class ClusterClient {
  constructor(readonly address: ClusterAddress) {}

  get namespace(): string {
    return this.address.namespace;
  }

  private targetArgs(): string[] {
    const { kubeconfig, context, namespace } = this.address;
    return [
      ...(kubeconfig ? ['--kubeconfig', kubeconfig] : []),
      '--context',
      context,
      '--namespace',
      namespace,
    ];
  }

  kubectl(args: readonly string[], options: RunOptions = {}): Promise<string> {
    return run('kubectl', [...this.targetArgs(), ...args], { timeoutMs: 6 * 60_000, ...options });
  }

  async json<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.kubectl([...args, '-o', 'json'])) as T;
  }

  /**
   * A kubectl that streams (`logs -f`, `get --watch`): collects its output until it ends by
   * itself ({@link Stream.ended}) or is stopped.
   */
  stream(args: readonly string[]): Stream {
    const child = spawn('kubectl', [...this.targetArgs(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let stopping = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const ended = new Promise<string>((resolve, reject) => {
      child.on('error', reject);
      // kubectl exits 1 on SIGTERM (its interrupt handler): that is the asked-for end.
      child.on('close', (code, signal) =>
        code === 0 || stopping
          ? resolve(out)
          : reject(
              new Error(`kubectl ${args.join(' ')} ended with ${code ?? signal}: ${err.trim()}`),
            ),
      );
    });
    // Read by whoever awaits it; never an unhandled rejection before that.
    ended.catch(() => undefined);
    return {
      ended,
      output: () => out,
      stop: () => {
        stopping = true;
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return ended;
      },
    };
  }

  /** Pods, claims, descriptions, events and logs: what to read when a step failed. */
  async diagnostics(): Promise<string> {
    const sections: [string, string[]][] = [
      [
        'objects',
        ['get', 'statefulset,pods,pvc,services,endpoints', '-o', 'wide', '--ignore-not-found'],
      ],
      ['statefulset', ['describe', 'statefulset']],
      ['pods', ['describe', 'pods', '-l', POD_SELECTOR]],
      ['events', ['get', 'events', '--sort-by=.lastTimestamp']],
      [
        'logs',
        [
          'logs',
          '-l',
          POD_SELECTOR,
          '--all-containers',
          '--prefix',
          '--tail=100',
          '--max-log-requests=10',
        ],
      ],
      [
        'logs of previous containers',
        ['logs', '-l', POD_SELECTOR, '--all-containers', '--prefix', '--tail=100', '--previous'],
      ],
    ];
    const parts = await Promise.all(
      sections.map(async ([title, args]) => {
        const body = await this.kubectl(args, { timeoutMs: 60_000 }).catch((e: unknown) =>
          e instanceof Error ? e.message : String(e),
        );
        return `----- ${title}: kubectl ${args.join(' ')}\n${body}`;
      }),
    );
    return `===== cluster suite diagnostics (namespace ${this.namespace}, context ${this.address.context})\n${parts.join('\n')}`;
  }
}
