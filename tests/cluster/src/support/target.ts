// Which cluster the suite runs on and how the image reaches its nodes, read from the environment
// in one place. Pure: the global setup probes the tools and the cluster afterwards.

/** How the image built on this machine reaches the cluster's nodes. */
export type ImageDelivery =
  /** `kind load docker-image` into the named kind cluster. */
  | { readonly kind: 'kind'; readonly cluster: string }
  /** `docker save | ctr images import` into a containerd on this machine (a single-node cluster here). */
  | { readonly kind: 'ctr'; readonly address: string; readonly namespace: string }
  /** `docker push` to a registry the nodes pull from; the image is renamed into it. */
  | { readonly kind: 'registry'; readonly repository: string }
  /** The nodes already see this machine's Docker images (e.g. a cluster inside this Docker engine). */
  | { readonly kind: 'none' };

export type ClusterTarget =
  /** A kind cluster the suite creates from k8s/kind/cluster.yaml and deletes afterwards. */
  | { readonly kind: 'new-kind'; readonly nodeImage: string | undefined }
  /** A cluster that exists, named by its context; the suite works in a namespace of its own. */
  | {
      readonly kind: 'existing';
      readonly context: string;
      readonly namespace: string | undefined;
      readonly delivery: ImageDelivery;
    };

export type TargetChoice =
  | { readonly target: ClusterTarget }
  /** No target: the suite is skipped with this reason (or fails, where CLUSTER_REQUIRED=1). */
  | { readonly skip: string };

const DELIVERIES = ['kind', 'ctr', 'registry', 'none'] as const;

/** A setting that cannot work: thrown before anything is created. */
export class TargetConfigError extends Error {
  override readonly name = 'TargetConfigError';
}

const NAMESPACE_PATTERN = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Whether {@link chooseTarget} may pick kind, so that kind's tools need probing first. */
export function considersKind(env: NodeJS.ProcessEnv): boolean {
  return !env['CLUSTER_CONTEXT']?.trim() || env['CLUSTER_TARGET']?.trim() === 'kind';
}

/**
 * Reads the target from the environment:
 * - `CLUSTER_CONTEXT` names an existing cluster (a context of `KUBECONFIG`), with
 *   `CLUSTER_IMAGE_DELIVERY` (kind | ctr | registry | none) and optionally `CLUSTER_NAMESPACE`;
 * - otherwise a new kind cluster, when kind, kubectl and a Docker engine are all there
 *   (`kindAvailable`); `CLUSTER_TARGET=kind` insists on it;
 * - otherwise no target, and the reason.
 */
export function chooseTarget(
  env: NodeJS.ProcessEnv,
  kindAvailable:
    { readonly ok: true } | { readonly ok: false; readonly missing: readonly string[] },
): TargetChoice {
  const context = env['CLUSTER_CONTEXT']?.trim();
  const requested = env['CLUSTER_TARGET']?.trim();
  if (requested && requested !== 'kind' && requested !== 'existing') {
    throw new TargetConfigError(
      `CLUSTER_TARGET=${requested} is not a target; use kind (create a kind cluster) or existing ` +
        '(with CLUSTER_CONTEXT naming the cluster), or leave it unset to choose by what is set.',
    );
  }
  if (requested === 'existing' && !context) {
    throw new TargetConfigError(
      'CLUSTER_TARGET=existing needs CLUSTER_CONTEXT: the suite runs only on a cluster named explicitly.',
    );
  }
  if (context && requested !== 'kind') {
    return { target: existingTarget(env, context) };
  }
  if (kindAvailable.ok) {
    return { target: { kind: 'new-kind', nodeImage: env['KIND_NODE_IMAGE'] || undefined } };
  }
  const reason = `no cluster to run on: set CLUSTER_CONTEXT to an existing cluster, or install kind (missing: ${kindAvailable.missing.join('; ')})`;
  if (requested === 'kind') throw new TargetConfigError(`CLUSTER_TARGET=kind, but ${reason}`);
  return { skip: reason };
}

function existingTarget(env: NodeJS.ProcessEnv, context: string): ClusterTarget {
  const namespace = env['CLUSTER_NAMESPACE']?.trim() || undefined;
  if (namespace !== undefined && !NAMESPACE_PATTERN.test(namespace)) {
    throw new TargetConfigError(
      `CLUSTER_NAMESPACE=${namespace} is not a namespace name (lowercase letters, digits and '-', at most 63).`,
    );
  }
  return { kind: 'existing', context, namespace, delivery: deliveryFromEnv(env, context) };
}

function deliveryFromEnv(env: NodeJS.ProcessEnv, context: string): ImageDelivery {
  const kind = env['CLUSTER_IMAGE_DELIVERY']?.trim();
  switch (kind) {
    case 'kind': {
      const cluster =
        env['CLUSTER_KIND_NAME']?.trim() ||
        (context.startsWith('kind-') ? context.slice('kind-'.length) : '');
      if (!cluster) {
        throw new TargetConfigError(
          `CLUSTER_IMAGE_DELIVERY=kind, but context ${context} is not kind-<cluster>; set CLUSTER_KIND_NAME to the kind cluster's name.`,
        );
      }
      return { kind: 'kind', cluster };
    }
    case 'ctr':
      return {
        kind: 'ctr',
        address: env['CLUSTER_CTR_ADDRESS']?.trim() || '/run/containerd/containerd.sock',
        namespace: env['CLUSTER_CTR_NAMESPACE']?.trim() || 'k8s.io',
      };
    case 'registry': {
      const repository = env['CLUSTER_IMAGE_REGISTRY']?.trim().replace(/\/+$/, '');
      if (!repository) {
        throw new TargetConfigError(
          'CLUSTER_IMAGE_DELIVERY=registry needs CLUSTER_IMAGE_REGISTRY, the repository prefix the nodes pull from (e.g. registry.example:5000/stateful-visits).',
        );
      }
      return { kind: 'registry', repository };
    }
    case 'none':
      return { kind: 'none' };
    default:
      throw new TargetConfigError(
        `${kind ? `CLUSTER_IMAGE_DELIVERY=${kind} is not known` : 'CLUSTER_IMAGE_DELIVERY is not set'}: say how the image reaches the nodes of ${context}: ` +
          `${DELIVERIES.join(' | ')} (kind load, ctr import into a containerd here, docker push to CLUSTER_IMAGE_REGISTRY, or already visible).`,
      );
  }
}
