// The metrics are the contract's names, so a renamed metric breaks the build here rather than a
// query in production.
import { METRIC_NAMES } from '@stateful-visits/visits-contract';
import {
  resolveMonitoringProps,
  type MonitoringProps,
  type ResolvedMonitoringProps,
} from './monitoring-props.js';
import { durationSeconds } from '../prometheus-duration.js';

export type Severity = 'critical' | 'warning';
export type ComparisonOp = '==' | '!=' | '>' | '<' | '>=' | '<=';

/**
 * An alert's condition, kept as `left op right` rather than one string: the comparison is what
 * makes an alert quiet (`up == 0` returns nothing while every pod is up), while its operands must
 * return series whenever the service is scraped. Tests evaluate the operands to prove that each
 * alert watches metrics that exist.
 */
export interface AlertCondition {
  readonly left: string;
  readonly op: ComparisonOp;
  /** A number, or an expression whose series are matched with `left`'s label for label. */
  readonly right: string | number;
}

export interface AlertRule {
  /** Also the heading of the alert's section in docs/deployment.md, which runbook_url points at. */
  readonly alert: string;
  readonly condition: AlertCondition;
  /** How long the condition must hold before the alert fires. @default fires at once */
  readonly for?: string;
  readonly severity: Severity;
  /** One line, with Go template references to the pod and `$value`. */
  readonly summary: string;
  /** What it means and what to do. */
  readonly description: string;
}

export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
}

/** One rule as Prometheus' rule files and the PrometheusRule CRD spell it. */
export interface RenderedRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RenderedRuleGroup {
  readonly name: string;
  readonly rules: readonly RenderedRule[];
}

/** The series the dashboard and the alerts share, named `level:metric:operations`. */
export const RECORDED = {
  /** Visits acknowledged per second, per scrape target, over 1 minute. */
  visitRate: 'instance:visits_recorded:rate1m',
  /** p99 of write + fdatasync per batch, per scrape target, over 5 minutes. */
  syncP99: 'instance:visits_store_sync_duration_seconds:p99_rate5m',
  /** Process starts per pod in the last 30 minutes, across re-created pods (new instances). */
  restarts: 'pod:visits_process_restarts:30m',
} as const;

/** `left op right`, the alert's `expr`. */
export function alertExpr(condition: AlertCondition): string {
  return `${condition.left} ${condition.op} ${String(condition.right)}`;
}

/** The expressions an alert compares: both sides, or only the left when the right is a number. */
export function conditionOperands(condition: AlertCondition): string[] {
  return typeof condition.right === 'number' ? [condition.left] : [condition.left, condition.right];
}

/** The anchor GitHub gives a Markdown heading: lower case, spaces to hyphens, punctuation dropped. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** `{<jobSelector>, <extra>}`: every selector of the service's own series goes through here. */
export function selector(p: ResolvedMonitoringProps, extra?: string): string {
  return `{${p.jobSelector}${extra ? `, ${extra}` : ''}}`;
}

/**
 * The labels that identify a pod across restarts: those the job selector uses (so the same
 * selector finds the aggregated series), the namespace, and the pod label.
 */
function podGrouping(p: ResolvedMonitoringProps): string {
  return [...new Set([...p.jobLabels, 'namespace', p.podLabel])].join(', ');
}

export function recordingRules(p: ResolvedMonitoringProps): RecordingRule[] {
  const job = selector(p);
  return [
    { record: RECORDED.visitRate, expr: `rate(${METRIC_NAMES.visitsRecorded}${job}[1m])` },
    {
      record: RECORDED.syncP99,
      expr: `histogram_quantile(0.99, rate(${METRIC_NAMES.syncDuration}_bucket${job}[5m]))`,
    },
    {
      // A restarted container keeps its instance, so changes() counts it; a re-created pod gets a
      // new IP, so a new instance: each series beyond the first one of a pod is one more start.
      record: RECORDED.restarts,
      expr:
        `sum by (${podGrouping(p)}) (changes(process_start_time_seconds${job}[30m]))\n` +
        `+ count by (${podGrouping(p)}) (max_over_time(process_start_time_seconds${job}[30m]))\n` +
        `- 1`,
    },
  ];
}

export function alertRules(p: ResolvedMonitoringProps): AlertRule[] {
  const job = selector(p);
  const pod = `{{ $labels.${p.podLabel} }}`;
  const byPod = podGrouping(p);
  const requests = (matchers?: string) =>
    `sum without (method, route, status_code) (rate(${METRIC_NAMES.httpDuration}_count${selector(p, matchers)}[5m]))`;
  return [
    {
      alert: 'VisitsPodDown',
      condition: { left: `up${job}`, op: '==', right: 0 },
      for: '5m',
      severity: 'warning',
      summary: `Pod ${pod} ({{ $labels.instance }}) has not answered a scrape for 5 minutes`,
      description:
        'Prometheus could not scrape /metrics on this pod for 5 minutes: the process is down, not ' +
        'listening, or unreachable from Prometheus. Its count is not served and nothing else about it ' +
        'is known. Check `kubectl get pod`, its events and `kubectl logs --previous`; if the pod runs ' +
        'and is ready, check the scrape port and the NetworkPolicy.',
    },
    {
      alert: 'VisitsStoreDegraded',
      condition: {
        left: `${METRIC_NAMES.storeState}${selector(p, 'state="degraded"')}`,
        op: '==',
        right: 1,
      },
      for: '5m',
      severity: 'warning',
      summary: `The store on ${pod} has refused visits for 5 minutes (degraded)`,
      description:
        'The store could not write a new journal, most often because the volume is full. It answers ' +
        'visits with 503, readiness is down so the Services send it no traffic, and it retries by ' +
        'itself every second: it recovers as soon as the cause is gone. The pod log and /health/ready ' +
        'say why; when the volume is full, see VisitsStoreVolumeFull.',
    },
    {
      alert: 'VisitsStoreFailed',
      condition: {
        left: `${METRIC_NAMES.storeState}${selector(p, 'state="failed"')}`,
        op: '==',
        right: 1,
      },
      severity: 'critical',
      summary: `The store on ${pod} stopped after a write it cannot retry (failed)`,
      description:
        'A write or sync to the volume failed in a way the store cannot retry safely. It takes no ' +
        'visits and the process restarts to re-read its journal; every acknowledged visit is on disk. ' +
        'If it happens again (see VisitsPodRestarting), the volume or its disk is failing: the pod log ' +
        "names the file and the error; check the node's kernel log and the volume's health.",
    },
    {
      alert: 'VisitsStoreVolumeFull',
      condition: {
        left: `${METRIC_NAMES.volumeFreeBytes}${job}`,
        op: '<',
        right: `${METRIC_NAMES.volumeRequiredBytes}${job}`,
      },
      for: '1m',
      severity: 'critical',
      summary: `Only {{ $value | humanize1024 }}B free on the volume of ${pod}, less than the store needs to keep writing`,
      description:
        'The free space on the data volume is below what the store needs for its next compaction ' +
        'plus a margin, so readiness is down (visits_store_volume_low is 1) and the pod takes no ' +
        'visits. Nothing acknowledged is lost. Expand the PersistentVolumeClaim (when its ' +
        'StorageClass allows volume expansion) or free space on the volume; the pod turns ready ' +
        'again by itself.',
    },
    {
      alert: 'VisitsStoreVolumeFillingUp',
      condition: {
        left: `predict_linear(${METRIC_NAMES.volumeFreeBytes}${job}[6h], ${durationSeconds(p.volumeForecast)})`,
        op: '<',
        right: `${METRIC_NAMES.volumeRequiredBytes}${job}`,
      },
      for: '30m',
      severity: 'warning',
      summary: `The volume of ${pod} will have less free space than the store needs within ${p.volumeForecast}`,
      description:
        `At the rate free space fell over the last 6 hours, the data volume will be below what the ` +
        `store needs to keep writing within ${p.volumeForecast}; then readiness goes down ` +
        '(VisitsStoreVolumeFull). The store itself keeps a bounded journal, so find what else fills ' +
        'the volume, or expand the PersistentVolumeClaim before it runs out.',
    },
    {
      alert: 'VisitsSyncLatencyHigh',
      condition: { left: `${RECORDED.syncP99}${job}`, op: '>', right: p.syncLatencyP99Seconds },
      for: '10m',
      severity: 'warning',
      summary: `Writes on ${pod} take {{ $value | humanizeDuration }} to reach the disk (p99)`,
      description:
        'A visit is acknowledged only after its batch is written and fdatasync has returned, so ' +
        `every POST /visits waits at least this long. Above ${p.syncLatencyP99Seconds} s at the ` +
        '99th percentile for 10 minutes the volume is slow or contended: check its type and ' +
        "IOPS limits, other workloads on the node's disk, and the pod's CPU throttling.",
    },
    {
      alert: 'VisitsRequestsFailing',
      condition: {
        // `or 0 * total`: a pod that answered no 503/507 has a ratio of 0, not no ratio at all.
        left:
          `(\n  ${requests('status_code=~"503|507"')}\n  or\n  0 * ${requests()}\n)\n` +
          `/ ${requests()}`,
        op: '>',
        right: p.failingRequestsRatio,
      },
      for: '5m',
      severity: 'critical',
      summary: `{{ $value | humanizePercentage }} of requests to ${pod} were answered 503 or 507`,
      description:
        'These visits were not recorded and clients were told to retry. 503: the store refused them ' +
        'because it is degraded, failed or shutting down (see VisitsStoreDegraded, ' +
        'VisitsStoreFailed, VisitsStoreVolumeFull); while the pod is not ready, only clients that ' +
        'reach it directly (its own DNS name) get these. 507: the count on this volume reached the ' +
        'largest the store keeps exactly (2^53-1); the pod needs a new volume.',
    },
    {
      alert: 'VisitsCountWentBackwards',
      condition: {
        left: `max by (${byPod}) (${METRIC_NAMES.stored}${job})`,
        op: '<',
        right: `max by (${byPod}) (max_over_time(${METRIC_NAMES.stored}${job}[1h]))`,
      },
      severity: 'critical',
      summary: `The count stored on ${pod} fell to {{ $value }}, below what it was within the last hour`,
      description:
        'A pod keeps its count for good on its own volume, so the count never falls. It fell: the ' +
        'pod now runs on a different or older volume (a claim deleted and re-created, a snapshot ' +
        'restored, volumes swapped), and the visits recorded since are not on it. Check which ' +
        'PersistentVolume the claim is bound to (`kubectl get pvc`) and whether that was intended. ' +
        'The alert clears an hour after the drop.',
    },
    {
      alert: 'VisitsPodRestarting',
      condition: { left: `${RECORDED.restarts}${job}`, op: '>', right: p.maxRestartsIn30m },
      severity: 'warning',
      summary: `${pod} restarted {{ $value }} times in 30 minutes`,
      description:
        'The process started anew more often than a rollout explains: it crashes, is killed for ' +
        'using too much memory or by its liveness probe, or exits after a fatal store error ' +
        '(VisitsStoreFailed). `kubectl describe pod` shows the last state and exit code ' +
        '(OOMKilled?); `kubectl logs --previous` shows why it stopped.',
    },
    {
      alert: 'VisitsStoreWriteFailures',
      condition: {
        left: `increase(${METRIC_NAMES.writeFailures}${job}[10m])`,
        op: '>',
        right: 0,
      },
      severity: 'warning',
      summary: `Writes to the volume of ${pod} failed ({{ $labels.operation }})`,
      description:
        'commit: a batch of visits could not be written or synced; those visits were refused (503), ' +
        'not lost. compaction: a new journal could not be written. Both usually come with ' +
        'VisitsStoreDegraded; when they recur without it, the volume returns intermittent I/O ' +
        "errors: check the pod log and the node's kernel log.",
    },
  ];
}

/** The rules as Prometheus evaluates them: a recording group and an alerting group. */
export function visitsRuleGroups(props: MonitoringProps = {}): RenderedRuleGroup[] {
  const p = resolveMonitoringProps(props);
  return [
    { name: 'visits.recording', rules: recordingRules(p) },
    {
      name: 'visits.alerts',
      rules: alertRules(p).map((a) => ({
        alert: a.alert,
        expr: alertExpr(a.condition),
        ...(a.for === undefined ? {} : { for: a.for }),
        labels: { severity: a.severity },
        annotations: {
          summary: a.summary,
          description: a.description,
          runbook_url: `${p.runbookUrl}#${headingAnchor(a.alert)}`,
        },
      })),
    },
  ];
}
