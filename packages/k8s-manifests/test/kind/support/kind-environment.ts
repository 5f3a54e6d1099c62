import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import { run, type RunOptions } from './run.js';

/** Selects the visits pods (the selector labels of the StatefulSet). */
export const POD_SELECTOR = 'app.kubernetes.io/name=visits,app.kubernetes.io/instance=visits';
const IMAGE_REPOSITORY = 'stateful-visits/visits';

export interface KindEnvironmentOptions {
  readonly repoRoot: string;
  /** Lowercase letters and digits, unique per run: names the cluster, namespace and image tags. */
  readonly runId: string;
}

/**
 * A namespace with the kind overlay applied, on a kind cluster this run created (or, with
 * KIND_USE_EXISTING_CONTEXT, on the existing kind cluster named there). Everything it creates
 * is recorded as it goes, so {@link KindEnvironment.stop} removes exactly that, even after a
 * failure half-way through {@link KindEnvironment.start}.
 */
export class KindEnvironment {
  readonly namespace: string;
  readonly image: string;
  /** Same image, other tag: a new pod template for the rolling-update checks. */
  readonly canaryImage: string;
  private clusterName = '';
  private context = '';
  private kubeconfig: string | undefined;
  private tmpDir = '';
  private createdCluster = false;
  private createdNamespace = false;
  private builtImages = false;

  /** Whether the cluster is this run's own (and so has exactly the two workers of k8s/kind). */
  get ownsCluster(): boolean {
    return this.createdCluster;
  }

  private constructor(private readonly options: KindEnvironmentOptions) {
    this.namespace = `visits-kind-${options.runId}`;
    this.image = `${IMAGE_REPOSITORY}:kind-${options.runId}`;
    this.canaryImage = `${IMAGE_REPOSITORY}:kind-${options.runId}-canary`;
  }

  /** Creates the environment; on failure it has already cleaned up after itself. */
  static async start(options: KindEnvironmentOptions): Promise<KindEnvironment> {
    const env = new KindEnvironment(options);
    try {
      env.tmpDir = await mkdtemp(join(tmpdir(), 'visits-kind-'));
      // The cheap refusal first: a wrong context must fail before anything is built.
      await env.checkExistingContext();
      // The image build and the cluster start are independent and both slow. allSettled: a
      // failed build must not start the cleanup while the cluster is still coming up.
      const results = await Promise.allSettled([env.buildImages(), env.createClusterIfNeeded()]);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
      await run(
        'kind',
        ['load', 'docker-image', env.image, env.canaryImage, '--name', env.clusterName],
        {
          timeoutMs: 10 * 60_000,
        },
      );
      await env.applyKindOverlay();
    } catch (error) {
      console.error(await env.diagnostics());
      await env.stop();
      throw error;
    }
    return env;
  }

  /**
   * With KIND_USE_EXISTING_CONTEXT, the suite runs on that context only if it is the current
   * context of KUBECONFIG and a kind cluster; anything else is refused.
   */
  private async checkExistingContext(): Promise<void> {
    const existing = process.env.KIND_USE_EXISTING_CONTEXT;
    if (existing) {
      const current = (await run('kubectl', ['config', 'current-context'])).trim();
      const kubeconfig = process.env.KUBECONFIG ?? '~/.kube/config';
      if (current !== existing) {
        throw new Error(
          `KIND_USE_EXISTING_CONTEXT=${existing} but the current context of ${kubeconfig} is ${current}; ` +
            `refusing to touch a cluster that was not named. Run \`kubectl config use-context ${existing}\` ` +
            'or unset KIND_USE_EXISTING_CONTEXT to let the suite create its own kind cluster.',
        );
      }
      if (!existing.startsWith('kind-')) {
        throw new Error(
          `KIND_USE_EXISTING_CONTEXT=${existing} is not a kind context (kind-<cluster>); the suite loads its ` +
            'image with `kind load docker-image` and needs a kind cluster.',
        );
      }
      this.clusterName = existing.slice('kind-'.length);
      const clusters = (await run('kind', ['get', 'clusters'])).split('\n').map((s) => s.trim());
      if (!clusters.includes(this.clusterName)) {
        throw new Error(
          `KIND_USE_EXISTING_CONTEXT=${existing}, but kind knows no cluster ${this.clusterName} ` +
            `(kind get clusters: ${clusters.filter(Boolean).join(', ') || 'none'}).`,
        );
      }
      this.context = existing;
    }
  }

  /** A new cluster from k8s/kind/cluster.yaml, unless an existing context was accepted. */
  private async createClusterIfNeeded(): Promise<void> {
    if (this.context) return;
    this.clusterName = `sv-${this.options.runId}`;
    this.context = `kind-${this.clusterName}`;
    // A kubeconfig of its own: the user's current context is never switched.
    this.kubeconfig = join(this.tmpDir, 'kubeconfig');
    const args = [
      'create',
      'cluster',
      '--name',
      this.clusterName,
      '--config',
      join(this.options.repoRoot, 'k8s/kind/cluster.yaml'),
      '--kubeconfig',
      this.kubeconfig,
      '--wait',
      '180s',
    ];
    if (process.env.KIND_NODE_IMAGE) args.push('--image', process.env.KIND_NODE_IMAGE);
    this.createdCluster = true;
    await run('kind', args, { timeoutMs: 10 * 60_000 });
  }

  private async buildImages(): Promise<void> {
    const args = ['build', '-f', 'docker/Dockerfile', '-t', this.image];
    if (process.env.NODE_IMAGE) args.push('--build-arg', `NODE_IMAGE=${process.env.NODE_IMAGE}`);
    args.push('.');
    this.builtImages = true;
    await run('docker', args, { cwd: this.options.repoRoot, timeoutMs: 30 * 60_000 });
    await run('docker', ['tag', this.image, this.canaryImage]);
  }

  /** `kubectl apply -k` of the kind overlay, moved into a fresh namespace and onto this run's image. */
  private async applyKindOverlay(): Promise<void> {
    const dir = join(this.tmpDir, 'deploy');
    await mkdir(dir, { recursive: true });
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: this.namespace,
      // kustomize accepts only relative paths to other kustomizations.
      resources: [relative(dir, join(this.options.repoRoot, 'k8s/overlays/kind'))],
      images: [{ name: IMAGE_REPOSITORY, newTag: this.image.split(':')[1] }],
    };
    await writeFile(join(dir, 'kustomization.yaml'), stringify(kustomization));
    this.createdNamespace = true;
    await this.kubectl(['apply', '-k', dir]);
  }

  /** kubectl against this environment's cluster and namespace only. */
  kubectl(args: readonly string[], options: RunOptions = {}): Promise<string> {
    const target = [
      ...(this.kubeconfig ? ['--kubeconfig', this.kubeconfig] : []),
      '--context',
      this.context,
      '--namespace',
      this.namespace,
    ];
    return run('kubectl', [...target, ...args], { timeoutMs: 6 * 60_000, ...options });
  }

  async kubectlJson<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.kubectl([...args, '-o', 'json'])) as T;
  }

  /** Pods, claims, descriptions, events and logs: what to read when a step failed. */
  async diagnostics(): Promise<string> {
    if (!this.context || !this.createdNamespace) return 'kind suite: nothing deployed yet';
    const sections: [string, string[]][] = [
      ['objects', ['get', 'statefulset,pods,pvc,services,endpointslices', '-o', 'wide']],
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
    return `===== kind suite diagnostics (namespace ${this.namespace}, context ${this.context})\n${parts.join('\n')}`;
  }

  /** Removes what this run created: its cluster, or else its namespace; its images; its files. */
  async stop(): Promise<void> {
    const problems: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (error) {
        problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    };
    if (this.createdCluster) {
      await attempt('delete kind cluster', () =>
        run(
          'kind',
          [
            'delete',
            'cluster',
            '--name',
            this.clusterName,
            ...(this.kubeconfig ? ['--kubeconfig', this.kubeconfig] : []),
          ],
          {
            timeoutMs: 5 * 60_000,
          },
        ),
      );
    } else if (this.createdNamespace) {
      await attempt('delete namespace', () =>
        this.kubectl([
          'delete',
          'namespace',
          this.namespace,
          '--wait=true',
          '--timeout=5m',
          '--ignore-not-found',
        ]),
      );
    }
    if (this.builtImages) {
      await attempt('remove images', () =>
        run('docker', ['image', 'rm', '--force', this.image, this.canaryImage]),
      );
    }
    if (this.tmpDir)
      await attempt('remove temp dir', () => rm(this.tmpDir, { recursive: true, force: true }));
    this.createdCluster = this.createdNamespace = this.builtImages = false;
    if (problems.length > 0)
      console.error(`kind suite cleanup problems:\n  ${problems.join('\n  ')}`);
  }
}
