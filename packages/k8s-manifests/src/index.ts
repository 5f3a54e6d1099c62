export { VisitsPropsError } from './errors.js';
export {
  resolveVisitsProps,
  commonLabels,
  selectorLabels,
  objectNames,
  IMAGE_UID,
  DATA_DIR,
  type VisitsProps,
  type ResolvedVisitsProps,
  type UpdateStrategy,
  type RetentionPolicy,
  type LogLevel,
  type ImagePullPolicy,
  type AccessMode,
  type PodManagementPolicy,
  type ClientServiceType,
  type RetentionAction,
  type WhenUnsatisfiable,
} from './props.js';
export { visitsNamespace } from './namespace.js';
export { visitsServiceAccount } from './service-account.js';
export { visitsConfigMap, configMapData, configChecksum } from './config-map.js';
export { visitsHeadlessService, visitsClientService } from './service.js';
export {
  visitsStatefulSet,
  podSecurityContext,
  CONFIG_CHECKSUM_ANNOTATION,
} from './stateful-set.js';
export { visitsPodDisruptionBudget } from './pod-disruption-budget.js';
export { visitsNetworkPolicy } from './network-policy.js';
export { visitsServiceMonitor, POD_INDEX_LABEL } from './service-monitor.js';
export {
  visitsManifests,
  manifestList,
  type VisitsManifests,
  type ManifestObject,
} from './visits.js';
export { renderYaml, toYamlDocument } from './render.js';
export { restrictedProfileViolations } from './pod-security.js';
export {
  renderK8sTree,
  diffK8sTree,
  writeK8sTree,
  overlays,
  overlayObjects,
  baseProps,
  kindCluster,
  splitImage,
  RENDER_COMMAND,
  type Overlay,
} from './k8s-tree.js';
