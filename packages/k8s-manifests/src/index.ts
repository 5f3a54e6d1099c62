export { VisitsPropsError } from './errors.js';
export {
  IMAGE_PULL_POLICIES,
  ACCESS_MODES,
  POD_MANAGEMENT_POLICIES,
  CLIENT_SERVICE_TYPES,
  RETENTION_ACTIONS,
  WHEN_UNSATISFIABLE,
  type VisitsProps,
  type ResolvedVisitsProps,
  type UpdateStrategy,
  type RetentionPolicy,
  type LogLevel,
  type AccessLogMode,
  type ImagePullPolicy,
  type AccessMode,
  type PodManagementPolicy,
  type ClientServiceType,
  type RetentionAction,
  type WhenUnsatisfiable,
} from './props.js';
export { resolveVisitsProps } from './resolve-props.js';
export { commonLabels, selectorLabels, objectNames } from './naming.js';
export { visitsNamespace } from './namespace.js';
export { visitsServiceAccount } from './service-account.js';
export { visitsConfigMap, configMapData, configChecksum } from './config-map.js';
export { visitsHeadlessService, visitsClientService } from './service.js';
export { visitsStatefulSet, CONFIG_CHECKSUM_ANNOTATION } from './stateful-set.js';
export { visitsPodDisruptionBudget } from './pod-disruption-budget.js';
export { visitsNetworkPolicy } from './network-policy.js';
export { visitsServiceMonitor, POD_INDEX_LABEL, JOB_LABEL } from './service-monitor.js';
export {
  visitsManifests,
  manifestList,
  type VisitsManifests,
  type ManifestObject,
} from './visits.js';
export { renderYaml, toYamlDocument } from './render.js';
export { baseProps, overlays, kindCluster, type Overlay } from './overlays.js';
export { kustomizeBase, kustomizeOverlay, splitImage, type KustomizeFiles } from './kustomize.js';
export {
  strategicMergePatch,
  PatchDerivationError,
  type Json,
  type JsonObject,
} from './strategic-merge-patch.js';
export {
  renderK8sTree,
  diffK8sTree,
  writeK8sTree,
  overlayObjects,
  RENDER_COMMAND,
  type K8sTreeSource,
} from './k8s-tree.js';
export {
  resolveMonitoringProps,
  parseSelector,
  type MonitoringProps,
  type ResolvedMonitoringProps,
} from './monitoring/monitoring-props.js';
export {
  visitsRuleGroups,
  recordingRules,
  alertRules,
  alertExpr,
  conditionOperands,
  headingAnchor,
  RECORDED,
  type AlertRule,
  type AlertCondition,
  type ComparisonOp,
  type RecordingRule,
  type RenderedRule,
  type RenderedRuleGroup,
  type Severity,
} from './monitoring/rules.js';
export { visitsPrometheusRule, type PrometheusRuleProps } from './monitoring/prometheus-rule.js';
export {
  visitsDashboard,
  dashboardQueries,
  dashboardVariables,
  expandVariables,
  storeStateCode,
  DATASOURCE_VARIABLE,
  POD_VARIABLE,
  type DashboardProps,
  type PanelQuery,
} from './monitoring/dashboard.js';
export {
  renderRulesFile,
  renderDashboardFile,
  renderMonitoringFiles,
  diffMonitoringFiles,
  writeMonitoringFiles,
  MONITORING_FILES,
  RENDER_MONITORING_COMMAND,
} from './monitoring/monitoring-files.js';
