// Over 350 lines on purpose: one lifecycle (choose the target, build and deliver the image, apply,
// record what was created, remove exactly that), whose cleanup must see every step it undoes.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { chooseNodeImage } from '../../../../apps/visits/test/harness/image.ts';
import {
  capabilitiesOf,
  CHECKS,
  networkPolicyNotEnforced,
  skippedChecks,
  type ServerFacts,
  SCHEMA_DEFINITIONS,
} from './capabilities.js';
import { ClusterClient, type ClusterSuiteContext } from './cluster-client.js';
import { adaptToServer, describeChanges, type K8sObject } from './compatibility.js';
import { enforcesNetworkPolicy } from './network-policy.js';
import { run } from './run.js';
import type { ClusterTarget } from './target.js';

const IMAGE_REPOSITORY = 'stateful-visits/visits';

export interface ClusterEnvironmentOptions {
  readonly repoRoot: string;
  /** Lowercase letters and digits, unique per run: names the namespace, images and a new cluster. */
  readonly runId: string;
  readonly target: ClusterTarget;
  readonly log: (line: string) => void;
}

/**
 * The suite's deployment: the kind overlay of k8s/, in a namespace of its own, on the target
 * cluster (created here for kind), with this run's image delivered to the nodes. Everything it
 * creates is recorded as it goes, so {@link ClusterEnvironment.stop} removes exactly that, also
 * after a failure half-way through {@link ClusterEnvironment.start}.
 */
export class ClusterEnvironment {
  private readonly namespace: string;
  private readonly localImage: string;
  private readonly localCanary: string;
  private image: string;
  private canaryImage: string;
  private context = '';
  private kubeconfig: string | undefined;
  private kindCluster = '';
  private tmpDir = '';
  private createdCluster = false;
  private createdNamespace = false;
  private builtImages = false;
  private importedImages = false;
  private client: ClusterClient | undefined;

  private constructor(private readonly options: ClusterEnvironmentOptions) {
    const { target, runId } = options;
    this.namespace =
      (target.kind === 'existing' ? target.namespace : undefined) ?? `visits-cluster-${runId}`;
    this.localImage = `${IMAGE_REPOSITORY}:cluster-${runId}`;
    this.localCanary = `${IMAGE_REPOSITORY}:cluster-${runId}-canary`;
    const registry =
      target.kind === 'existing' && target.delivery.kind === 'registry'
        ? target.delivery.repository
        : undefined;
    this.image = registry ? `${registry}/visits:cluster-${runId}` : this.localImage;
    this.canaryImage = registry ? `${registry}/visits:cluster-${runId}-canary` : this.localCanary;
  }

  /** Creates the environment; on failure it has already cleaned up after itself. */
  static async start(
    options: ClusterEnvironmentOptions,
  ): Promise<{ environment: ClusterEnvironment; context: ClusterSuiteContext }> {
    const env = new ClusterEnvironment(options);
    try {
      return { environment: env, context: await env.deploy() };
    } catch (error) {
      if (env.client && env.createdNamespace) options.log(await env.client.diagnostics());
      await env.stop();
      throw error;
    }
  }

  private async deploy(): Promise<ClusterSuiteContext> {
    const { target, log } = this.options;
    this.tmpDir = await mkdtemp(join(tmpdir(), 'visits-cluster-'));
    let description: string;
    if (target.kind === 'existing') {
      // The cheap refusals first: a wrong context or namespace must fail before anything is built.
      await this.acceptExistingContext(target.context);
      description = `existing cluster, context ${target.context}, image delivery: ${target.delivery.kind}`;
      await this.refuseExistingNamespace();
      await this.buildImages();
    } else {
      description = `kind cluster sv-${this.options.runId} (created by the suite)`;
      // The image build and the cluster start are independent and both slow. allSettled: a
      // failed build must not start the cleanup while the cluster is still coming up.
      const results = await Promise.allSettled([
        this.buildImages(),
        this.createKindCluster(target.nodeImage),
      ]);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
    }
    const client = this.clientFor();

    const facts = await readServerFacts(client);
    const capabilities = capabilitiesOf(facts);
    const skipped = skippedChecks(capabilities);
    log(`target: ${description}; server ${capabilities.version}; namespace ${this.namespace}`);
    log(
      skipped.length === 0
        ? 'every check of the suite can run on this cluster'
        : `checks this cluster cannot support (skipped):\n${skipped.map((s) => `  - ${s.check}: ${s.reason}`).join('\n')}`,
    );

    await this.deliverImages();
    const objects = await this.renderKindOverlay();
    const preStopSeconds = preStopSecondsOf(objects);
    const { objects: adapted, changes } = adaptToServer(objects, capabilities);
    log(describeChanges(capabilities.version, changes));
    // The NetworkPolicy last: whether the cluster enforces policies is probed before it applies.
    const policies = adapted.filter((o) => o.kind === 'NetworkPolicy');
    const manifest = join(this.tmpDir, 'manifests.yaml');
    await writeFile(
      manifest,
      adapted
        .filter((o) => o.kind !== 'NetworkPolicy')
        .map((o) => stringify(o))
        .join('---\n'),
    );
    this.createdNamespace = true;
    await client.kubectl(['apply', '-f', manifest]);
    await client.kubectl(['rollout', 'status', 'statefulset/visits', '--timeout=5m']);
    if (policies.length > 0) {
      const waitMs = 15_000;
      const enforced = await enforcesNetworkPolicy(client, {
        from: 'visits-0',
        to: 'visits-1',
        container: 'visits',
        port: 3000,
        path: '/visits?limit=0',
        waitMs,
      });
      if (!enforced) skipped.push(networkPolicyNotEnforced(waitMs / 1000));
      log(
        enforced
          ? 'the network plugin enforces NetworkPolicy: the suite runs with the NetworkPolicy applied'
          : `the network plugin does not enforce NetworkPolicy (applied all the same); skipped: ${CHECKS.networkPolicy}`,
      );
      const policyFile = join(this.tmpDir, 'network-policy.yaml');
      await writeFile(policyFile, policies.map((o) => stringify(o)).join('---\n'));
      await client.kubectl(['apply', '-f', policyFile]);
    }

    return {
      available: true,
      ...client.address,
      description,
      image: this.image,
      canaryImage: this.canaryImage,
      capabilities,
      skipped,
      compatibility: changes,
      preStopSeconds,
    };
  }

  private clientFor(): ClusterClient {
    this.client ??= new ClusterClient({
      kubeconfig: this.kubeconfig,
      context: this.context,
      namespace: this.namespace,
    });
    return this.client;
  }

  /** The named context must exist; every later call names it, so no other is ever used. */
  private async acceptExistingContext(context: string): Promise<void> {
    const contexts = (await run('kubectl', ['config', 'get-contexts', '-o', 'name']))
      .split('\n')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!contexts.includes(context)) {
      throw new Error(
        `CLUSTER_CONTEXT=${context} is not a context of ${process.env['KUBECONFIG'] ?? '~/.kube/config'} ` +
          `(it has: ${contexts.join(', ') || 'none'}); refusing to guess another cluster.`,
      );
    }
    this.context = context;
  }

  /** The suite deletes its namespace at the end, so it never works in one that exists already. */
  private async refuseExistingNamespace(): Promise<void> {
    const found = await this.clientFor().kubectl([
      'get',
      'namespace',
      this.namespace,
      '--ignore-not-found',
      '-o',
      'name',
    ]);
    if (found.trim()) {
      throw new Error(
        `namespace ${this.namespace} already exists on ${this.context}; the suite creates its namespace and deletes it ` +
          'afterwards, so it refuses to use one that exists. Name a new one in CLUSTER_NAMESPACE, or unset it for a generated name.',
      );
    }
  }

  /** A new cluster from k8s/kind/cluster.yaml, with a kubeconfig of its own. */
  private async createKindCluster(nodeImage: string | undefined): Promise<void> {
    this.kindCluster = `sv-${this.options.runId}`;
    this.context = `kind-${this.kindCluster}`;
    // The user's current context is never switched.
    this.kubeconfig = join(this.tmpDir, 'kubeconfig');
    const args = [
      'create',
      'cluster',
      '--name',
      this.kindCluster,
      '--config',
      join(this.options.repoRoot, 'k8s/kind/cluster.yaml'),
      '--kubeconfig',
      this.kubeconfig,
      '--wait',
      '180s',
    ];
    if (nodeImage) args.push('--image', nodeImage);
    this.createdCluster = true;
    await run('kind', args, { timeoutMs: 10 * 60_000 });
  }

  private async buildImages(): Promise<void> {
    const started = Date.now();
    const nodeImage = await chooseNodeImage((image) =>
      run('docker', ['image', 'inspect', image]).then(
        () => true,
        () => false,
      ),
    );
    this.builtImages = true;
    await run(
      'docker',
      [
        'build',
        '-f',
        'docker/Dockerfile',
        '-t',
        this.localImage,
        '--build-arg',
        `NODE_IMAGE=${nodeImage}`,
        '.',
      ],
      { cwd: this.options.repoRoot, timeoutMs: 30 * 60_000 },
    );
    await run('docker', ['tag', this.localImage, this.localCanary]);
    this.options.log(
      `built ${this.localImage} (and -canary) from ${nodeImage} in ${Math.round((Date.now() - started) / 1000)}s`,
    );
  }

  private async deliverImages(): Promise<void> {
    const { target } = this.options;
    const delivery =
      target.kind === 'existing' ? target.delivery : { kind: 'kind' as const, cluster: '' };
    const images = [this.image, this.canaryImage];
    switch (delivery.kind) {
      case 'kind':
        await run(
          'kind',
          ['load', 'docker-image', ...images, '--name', delivery.cluster || this.kindCluster],
          { timeoutMs: 10 * 60_000 },
        );
        return;
      case 'ctr': {
        const archive = join(this.tmpDir, 'images.tar');
        await run('docker', ['save', '-o', archive, ...images], { timeoutMs: 10 * 60_000 });
        this.importedImages = true;
        await run(
          'ctr',
          [
            '--address',
            delivery.address,
            '--namespace',
            delivery.namespace,
            'images',
            'import',
            archive,
          ],
          { timeoutMs: 10 * 60_000 },
        );
        await rm(archive, { force: true });
        return;
      }
      case 'registry':
        await run('docker', ['tag', this.localImage, this.image]);
        await run('docker', ['tag', this.localCanary, this.canaryImage]);
        for (const image of images)
          await run('docker', ['push', image], { timeoutMs: 10 * 60_000 });
        return;
      case 'none':
        return;
    }
  }

  /**
   * The kind overlay (committed in k8s/) moved into this run's namespace and onto its image,
   * rendered by kustomize, as objects. The pull policy follows the delivery: Never (the kind
   * overlay's) unless the nodes pull from a registry.
   */
  private async renderKindOverlay(): Promise<K8sObject[]> {
    const dir = join(this.tmpDir, 'deploy');
    await mkdir(dir, { recursive: true });
    const [name, tag] = this.image.split(/:(?=[^:/]+$)/);
    const kustomization = {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: this.namespace,
      // kustomize accepts only relative paths to other kustomizations.
      resources: [relative(dir, join(this.options.repoRoot, 'k8s/overlays/kind'))],
      images: [{ name: IMAGE_REPOSITORY, newName: name, newTag: tag }],
    };
    await writeFile(join(dir, 'kustomization.yaml'), stringify(kustomization));
    const rendered = await run('kubectl', ['kustomize', dir]);
    const objects = parseAllDocuments(rendered).map((d) => d.toJS() as K8sObject);
    const { target } = this.options;
    if (target.kind === 'existing' && target.delivery.kind === 'registry') {
      for (const o of objects) {
        if (o.kind !== 'StatefulSet') continue;
        const spec = o['spec'] as { template: { spec: { containers: Record<string, unknown>[] } } };
        for (const c of spec.template.spec.containers) c['imagePullPolicy'] = 'IfNotPresent';
      }
    }
    return objects;
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
    const { target } = this.options;
    if (this.createdCluster) {
      await attempt('delete kind cluster', () =>
        run(
          'kind',
          [
            'delete',
            'cluster',
            '--name',
            this.kindCluster,
            ...(this.kubeconfig ? ['--kubeconfig', this.kubeconfig] : []),
          ],
          { timeoutMs: 5 * 60_000 },
        ),
      );
    } else if (this.createdNamespace && this.client) {
      const client = this.client;
      await attempt('delete namespace', () =>
        client.kubectl([
          'delete',
          'namespace',
          this.namespace,
          '--wait=true',
          '--timeout=5m',
          '--ignore-not-found',
        ]),
      );
    }
    if (this.importedImages && target.kind === 'existing' && target.delivery.kind === 'ctr') {
      const { address, namespace } = target.delivery;
      await attempt('remove imported images', () =>
        run('ctr', [
          '--address',
          address,
          '--namespace',
          namespace,
          'images',
          'rm',
          ...[this.image, this.canaryImage].map((i) => `docker.io/${i}`),
        ]),
      );
    }
    if (this.builtImages) {
      const tags = new Set([this.localImage, this.localCanary, this.image, this.canaryImage]);
      await attempt('remove images', () => run('docker', ['image', 'rm', '--force', ...tags]));
    }
    if (this.tmpDir) {
      await attempt('remove temp dir', () => rm(this.tmpDir, { recursive: true, force: true }));
    }
    this.createdCluster = this.createdNamespace = this.builtImages = this.importedImages = false;
    if (problems.length > 0) {
      throw new Error(`cluster suite cleanup problems:\n  ${problems.join('\n  ')}`);
    }
  }
}

/** Version, API groups, the schema fields the manifests use, DNS and nodes: see {@link ServerFacts}. */
export async function readServerFacts(client: ClusterClient): Promise<ServerFacts> {
  const [versionJson, apiVersions, openApi, dns, nodes] = await Promise.all([
    client.kubectl(['get', '--raw', '/version']),
    client.kubectl(['api-versions']),
    client.kubectl(['get', '--raw', '/openapi/v2'], { timeoutMs: 120_000 }),
    client.json<{ items: { metadata: { namespace: string } }[] }>([
      'get',
      'services',
      '--all-namespaces',
      '-l',
      'k8s-app=kube-dns',
    ]),
    client.json<{
      items: {
        spec: { unschedulable?: boolean; taints?: { effect: string }[] };
      }[];
    }>(['get', 'nodes']),
  ]);
  const definitions = (
    JSON.parse(openApi) as { definitions: Record<string, { properties?: Record<string, unknown> }> }
  ).definitions;
  const wanted = Object.values(SCHEMA_DEFINITIONS).flat();
  return {
    version: JSON.parse(versionJson) as ServerFacts['version'],
    apiVersions: apiVersions.split('\n').map((s) => s.trim()),
    schemaProperties: Object.fromEntries(
      wanted.map((name) => [name, Object.keys(definitions[name]?.properties ?? {})]),
    ),
    dnsServices: dns.items.filter((s) => s.metadata.namespace === 'kube-system').length,
    schedulableNodes: nodes.items.filter(
      (n) =>
        !n.spec.unschedulable &&
        !(n.spec.taints ?? []).some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
    ).length,
  };
}

/** The preStop sleep of the visits container as rendered (before any compatibility change). */
function preStopSecondsOf(objects: readonly K8sObject[]): number {
  const statefulSet = objects.find((o) => o.kind === 'StatefulSet');
  const spec = statefulSet?.['spec'] as
    | {
        template: {
          spec: {
            containers: {
              name: string;
              lifecycle?: { preStop?: { sleep?: { seconds: number } } };
            }[];
          };
        };
      }
    | undefined;
  const container = spec?.template.spec.containers.find((c) => c.name === 'visits');
  return container?.lifecycle?.preStop?.sleep?.seconds ?? 0;
}
