// A real Prometheus server (Debian's `prometheus` binary) with a temporary config and storage.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isCi } from '../../../../apps/visits/test/harness/ci.ts';
import { freePort } from '../../../../apps/visits/test/harness/ports.ts';
import { waitFor } from './wait.js';

export interface ScrapeTarget {
  /** `host:port` */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface PrometheusOptions {
  readonly job: string;
  readonly targets: readonly ScrapeTarget[];
  readonly ruleFiles: readonly string[];
  /** Scrape and rule evaluation interval. @default '1s' */
  readonly interval?: string;
}

/** One series of a query's answer: its labels and its values (NaN kept as NaN). */
export interface Series {
  readonly metric: Readonly<Record<string, string>>;
  readonly values: readonly number[];
}

export type QueryAnswer =
  | { readonly ok: true; readonly series: readonly Series[] }
  | { readonly ok: false; readonly error: string };

const MISSING =
  'the monitoring suite needs the `prometheus` binary on PATH (Debian package `prometheus`): ' +
  'run `bash scripts/ensure-prometheus.sh`';

/** Whether the `prometheus` binary runs here. */
function prometheusFound(): boolean {
  return spawnSync('prometheus', ['--version'], { encoding: 'utf8' }).status === 0;
}

/**
 * Why the suite cannot run here (the `prometheus` binary is not on PATH), or undefined when it
 * can. In CI (`CI` set) a missing binary is an error instead: .ci/run installs it, and the suite
 * must never pass there by not running.
 */
export function prometheusMissing(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (prometheusFound()) return undefined;
  if (isCi(env)) throw new Error(MISSING);
  return MISSING;
}

export class PrometheusServer {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly output: () => string,
  ) {}

  static async start(options: PrometheusOptions): Promise<PrometheusServer> {
    if (!prometheusFound()) throw new Error(MISSING);
    const dir = await mkdtemp(join(tmpdir(), 'monitoring-prometheus-'));
    const interval = options.interval ?? '1s';
    const config = {
      global: {
        scrape_interval: interval,
        evaluation_interval: interval,
        scrape_timeout: interval,
      },
      rule_files: options.ruleFiles,
      scrape_configs: [
        {
          job_name: options.job,
          metrics_path: '/metrics',
          static_configs: options.targets.map((t) => ({ targets: [t.address], labels: t.labels })),
        },
      ],
    };
    await writeFile(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    const child = spawn(
      'prometheus',
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const server = new PrometheusServer(`http://127.0.0.1:${port}`, child, dir, () => output);
    try {
      await waitFor(
        'Prometheus to become ready',
        async () => {
          if (child.exitCode !== null)
            throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
          const res = await fetch(`${server.url}/-/ready`).catch(() => undefined);
          return res?.ok ? true : undefined;
        },
        30_000,
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = once(this.child, 'exit');
      this.child.kill('SIGTERM');
      await exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async api(
    path: string,
    params: Record<string, string | string[]>,
  ): Promise<{ status: string; data?: unknown; error?: string }> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) {
      for (const v of Array.isArray(value) ? value : [value]) search.append(key, v);
    }
    const res = await fetch(`${this.url}${path}?${search.toString()}`);
    return (await res.json()) as { status: string; data?: unknown; error?: string };
  }

  /** Evaluates `expr` now. */
  async query(expr: string): Promise<QueryAnswer> {
    const body = await this.api('/api/v1/query', { query: expr });
    if (body.status !== 'success') return { ok: false, error: body.error ?? 'unknown error' };
    const data = body.data as { resultType: string; result: unknown };
    if (data.resultType === 'scalar') {
      const [, v] = data.result as [number, string];
      return { ok: true, series: [{ metric: {}, values: [Number(v)] }] };
    }
    const result = data.result as { metric: Record<string, string>; value: [number, string] }[];
    return {
      ok: true,
      series: result.map((r) => ({ metric: r.metric, values: [Number(r.value[1])] })),
    };
  }

  /** Evaluates `expr` over the last `seconds`, one step a second, as a Grafana time series panel does. */
  async queryRange(expr: string, seconds: number): Promise<QueryAnswer> {
    const end = Date.now() / 1000;
    const body = await this.api('/api/v1/query_range', {
      query: expr,
      start: String(end - seconds),
      end: String(end),
      step: '1',
    });
    if (body.status !== 'success') return { ok: false, error: body.error ?? 'unknown error' };
    const result = (
      body.data as { result: { metric: Record<string, string>; values: [number, string][] }[] }
    ).result;
    return {
      ok: true,
      series: result.map((r) => ({ metric: r.metric, values: r.values.map(([, v]) => Number(v)) })),
    };
  }

  /** The values of a label over the series `match` selects, as Grafana's `label_values()` lists them. */
  async labelValues(label: string, match: string): Promise<string[]> {
    const body = await this.api(`/api/v1/label/${encodeURIComponent(label)}/values`, {
      'match[]': match,
    });
    if (body.status !== 'success')
      throw new Error(`label values of ${label} for ${match}: ${body.error}`);
    return body.data as string[];
  }

  /** When each rule group last finished an evaluation, by group name. */
  async ruleGroupEvaluations(): Promise<Map<string, { lastEvaluation: string; rules: number }>> {
    const body = await this.api('/api/v1/rules', {});
    const groups = (
      body.data as { groups: { name: string; lastEvaluation: string; rules: unknown[] }[] }
    ).groups;
    return new Map(
      groups.map((g) => [g.name, { lastEvaluation: g.lastEvaluation, rules: g.rules.length }]),
    );
  }
}
