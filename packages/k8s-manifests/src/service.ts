import { Service } from 'kubernetes-models/v1/Service';
import {
  HTTP_PORT_NAME,
  OPS_PORT_NAME,
  objectMeta,
  objectNames,
  selectorLabels,
  SERVICE_ROLE_LABEL,
} from './naming.js';
import type { ResolvedVisitsProps } from './props.js';

/**
 * The StatefulSet's governing Service: gives every pod the stable DNS name
 * `<name>-N.<name>-headless.<namespace>.svc.cluster.local`. It publishes pods that are not ready
 * yet, so a pod is reachable by name while it starts (and can be scraped or debugged there). It
 * lists both ports: the ServiceMonitor scrapes the ops port through its endpoints.
 */
export function visitsHeadlessService(p: ResolvedVisitsProps): Service {
  return new Service({
    metadata: objectMeta(p, objectNames(p).headlessService, { [SERVICE_ROLE_LABEL]: 'headless' }),
    spec: {
      clusterIP: 'None',
      publishNotReadyAddresses: true,
      selector: selectorLabels(p),
      ports: [
        { name: HTTP_PORT_NAME, port: p.port, targetPort: HTTP_PORT_NAME, protocol: 'TCP' },
        { name: OPS_PORT_NAME, port: p.opsPort, targetPort: OPS_PORT_NAME, protocol: 'TCP' },
      ],
    },
  });
}

/**
 * The Service clients use: load-balances over ready pods, each of which counts on its own. Only
 * the service port: metrics, probes and the readiness report (which names files) stay internal,
 * even when this is a public LoadBalancer.
 */
export function visitsClientService(p: ResolvedVisitsProps): Service {
  return new Service({
    metadata: objectMeta(p, objectNames(p).clientService, { [SERVICE_ROLE_LABEL]: 'client' }),
    spec: {
      type: p.clientServiceType,
      selector: selectorLabels(p),
      ports: [
        {
          name: HTTP_PORT_NAME,
          port: p.clientServicePort,
          targetPort: HTTP_PORT_NAME,
          protocol: 'TCP',
        },
      ],
    },
  });
}
