import { diffGeneratedFiles, generatedHeader, writeGeneratedFiles } from '../generated-files.js';
import { toYamlDocument } from '../render.js';
import { visitsDashboard, type DashboardProps } from './dashboard.js';
import type { MonitoringProps } from './monitoring-props.js';
import { visitsRuleGroups } from './rules.js';

/** The command that regenerates the committed `k8s/monitoring/` directory. */
export const RENDER_MONITORING_COMMAND =
  'npm run render:monitoring -w @stateful-visits/k8s-manifests';

/**
 * The files in `k8s/monitoring/`. The rules file ends in `.yml` because the k8s/ tree's renderer
 * owns every `.yaml` file under k8s/ and would remove one it does not generate.
 */
export const MONITORING_FILES = {
  rules: 'visits.rules.yml',
  dashboard: 'grafana-dashboard.json',
} as const;

/** The plain Prometheus rules file (`rule_files:`), with a header saying how to regenerate it. */
export function renderRulesFile(props: MonitoringProps = {}): string {
  return (
    generatedHeader(RENDER_MONITORING_COMMAND) +
    `# Check: promtool check rules ${MONITORING_FILES.rules}\n` +
    toYamlDocument({ groups: visitsRuleGroups(props) })
  );
}

/** The Grafana dashboard's JSON model, ready to import or provision. */
export function renderDashboardFile(props: DashboardProps = {}): string {
  return `${JSON.stringify(visitsDashboard(props), null, 2)}\n`;
}

/** Everything under `k8s/monitoring/`, as file name → content. */
export function renderMonitoringFiles(props: DashboardProps = {}): Map<string, string> {
  return new Map([
    [MONITORING_FILES.rules, renderRulesFile(props)],
    [MONITORING_FILES.dashboard, renderDashboardFile(props)],
  ]);
}

/** The YAML and JSON files directly in `k8s/monitoring/`: the ones its renderer may remove. */
const isMonitoringFile = (path: string) => /^[^/]+\.(ya?ml|json)$/.test(path);

/**
 * Compares `dir` with {@link renderMonitoringFiles}: one line per file that is missing, differs,
 * or is a YAML/JSON file that would not be generated. Empty when `dir` is up to date.
 */
export function diffMonitoringFiles(dir: string): string[] {
  return diffGeneratedFiles(dir, renderMonitoringFiles(), isMonitoringFile);
}

/** Writes {@link renderMonitoringFiles} into `dir` and removes YAML/JSON files it no longer generates. */
export function writeMonitoringFiles(dir: string): { written: string[]; removed: string[] } {
  return writeGeneratedFiles(dir, renderMonitoringFiles(), isMonitoringFile);
}
