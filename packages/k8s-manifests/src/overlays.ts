// What k8s/ is rendered from: the base and each overlay, described as props only. kustomize.ts
// derives each overlay's kustomization and patches from its difference to the base.
import type { VisitsProps } from './props.js';

/** What `k8s/base` is rendered from: every default. */
export const baseProps: VisitsProps = {};

/** A kustomize overlay of `k8s/base`, described by the props it must be equivalent to. */
export interface Overlay {
  /** The directory under `k8s/overlays/`. */
  readonly name: string;
  /** `kubectl kustomize k8s/overlays/<name>` renders exactly `visitsManifests(props)`. */
  readonly props: VisitsProps;
}

export const overlays: readonly Overlay[] = [
  {
    name: 'kind',
    // The image built and `kind load`ed locally: never pulled from a registry. kind's local-path
    // provisioner does not enforce a size; 64Mi is the store's 2 MiB with room for any file
    // system's own overhead (docs/deployment.md, "How big a volume").
    props: {
      namespace: 'visits',
      image: 'stateful-visits/visits:dev',
      imagePullPolicy: 'Never',
      storageSize: '64Mi',
      // kind's network plugin enforces NetworkPolicy (kindnet from kind 0.24): the cluster suite
      // checks the fleet view and the probes through it, as production runs them.
      networkPolicy: true,
    },
  },
  {
    name: 'production',
    props: {
      namespace: 'visits',
      image: 'registry.example.com/stateful-visits/visits:1.0.0',
      clientServiceType: 'LoadBalancer',
      // The store never holds more than 2052Ki: a bigger volume buys only headroom. 1Gi is the
      // smallest size many block-storage drivers provision or bill anyway (smaller requests are
      // rounded up). The package default, written out because it is a decision.
      storageSize: '1Gi',
      resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      // Only answers ≥ 500 and slow requests: a line per visit costs about 15% of the request
      // path's CPU (docs/benchmarks.md) and a log pipeline tens of thousands of lines a second.
      accessLog: 'errors',
      serviceMonitor: true,
      prometheusRule: true,
      networkPolicy: true,
    },
  },
];

/** The kind cluster the kind suite and the quick start use: pods spread over two workers. */
export const kindCluster = {
  kind: 'Cluster',
  apiVersion: 'kind.x-k8s.io/v1alpha4',
  nodes: [{ role: 'control-plane' }, { role: 'worker' }, { role: 'worker' }],
};
