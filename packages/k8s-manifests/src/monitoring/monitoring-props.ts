import { VisitsPropsError } from '../errors.js';
import { isPrometheusDuration } from '../prometheus-duration.js';

/** What the alerting rules, the recording rules and the dashboard can be configured with. */
export interface MonitoringProps {
  /**
   * PromQL label matchers, without braces, that select the service's scrape job in every rule
   * and panel. A prometheus-operator ServiceMonitor names the job after the Service it selects
   * unless it sets `jobLabel`; an annotation-based job is usually `kubernetes-pods`.
   * @default 'job="visits"'
   */
  readonly jobSelector?: string;
  /**
   * The target label that names a pod and stays the same when the pod is re-created (its
   * `instance`, an IP address, does not). The ServiceMonitor sets `pod`; give static targets one
   * too. Rules that follow a pod across restarts group by it; the dashboard's pod variable lists it.
   * @default 'pod'
   */
  readonly podLabel?: string;
  /**
   * Where the operator's guide (docs/deployment.md) is read; each alert's `runbook_url` is this
   * plus `#<anchor of the alert's section>`. Set it to where your copy is published.
   * @default 'docs/deployment.md'
   */
  readonly runbookUrl?: string;
  /** `VisitsSyncLatencyHigh` fires above this p99 of write + fdatasync, in seconds. @default 0.1 */
  readonly syncLatencyP99Seconds?: number;
  /**
   * `VisitsRequestsFailing` fires when more than this share (0–1) of a pod's requests are answered
   * 503 or 507. @default 0.01
   */
  readonly failingRequestsRatio?: number;
  /**
   * `VisitsPodRestarting` fires when a pod started more than this many times in 30 minutes; a
   * rollout restarts each pod once. @default 2
   */
  readonly maxRestartsIn30m?: number;
  /**
   * How far ahead `VisitsStoreVolumeFillingUp` looks: it warns when the free space, extrapolated
   * from the last 6 hours, would be below what the store needs by then. A Prometheus duration.
   * @default '24h'
   */
  readonly volumeForecast?: string;
}

export interface ResolvedMonitoringProps {
  readonly jobSelector: string;
  /** The label names `jobSelector` matches on, in order. */
  readonly jobLabels: readonly string[];
  readonly podLabel: string;
  readonly runbookUrl: string;
  readonly syncLatencyP99Seconds: number;
  readonly failingRequestsRatio: number;
  readonly maxRestartsIn30m: number;
  readonly volumeForecast: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
// One matcher: a label name, an operator and a double-quoted value (backslash escapes allowed).
const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

function fail(message: string): never {
  throw new VisitsPropsError(message);
}

/** Splits `a="x", b=~"y"` into its matchers; throws when it is not a list of PromQL matchers. */
export function parseSelector(selector: string): { label: string; op: string; value: string }[] {
  // Commas inside quoted values are not separators.
  const parts = selector.match(/(?:[^,"]|"(?:[^"\\]|\\.)*")+/g) ?? [];
  const matchers = parts.map((part) => {
    const m = MATCHER.exec(part);
    if (!m) {
      fail(
        `jobSelector must be PromQL label matchers without braces, such as job="visits" or ` +
          `job="visits-headless", namespace="prod"; ${JSON.stringify(part.trim())} is not one (got ${JSON.stringify(selector)})`,
      );
    }
    return { label: m[1]!, op: m[2]!, value: m[3]! };
  });
  if (matchers.length === 0) {
    fail(
      `jobSelector must match at least one label, such as job="visits" (got ${JSON.stringify(selector)})`,
    );
  }
  return matchers;
}

function positive(prop: string, value: number, hint: string): number {
  if (!Number.isFinite(value) || value <= 0)
    fail(`${prop} must be a number above 0, got ${String(value)}: ${hint}`);
  return value;
}

/** Applies the defaults and checks every value. */
export function resolveMonitoringProps(props: MonitoringProps = {}): ResolvedMonitoringProps {
  const jobSelector = (props.jobSelector ?? 'job="visits"').trim();
  const jobLabels = [...new Set(parseSelector(jobSelector).map((m) => m.label))];
  const podLabel = props.podLabel ?? 'pod';
  if (!LABEL_NAME.test(podLabel) || podLabel.startsWith('__')) {
    fail(`podLabel must be a Prometheus label name such as pod, got ${JSON.stringify(podLabel)}`);
  }
  const runbookUrl = props.runbookUrl ?? 'docs/deployment.md';
  if (runbookUrl.trim() === '' || runbookUrl.includes('#')) {
    fail(
      `runbookUrl must be the address of docs/deployment.md without an anchor (each alert adds its own), got ${JSON.stringify(runbookUrl)}`,
    );
  }
  const failingRequestsRatio = positive(
    'failingRequestsRatio',
    props.failingRequestsRatio ?? 0.01,
    'the share of requests, e.g. 0.01 for 1%',
  );
  if (failingRequestsRatio >= 1) {
    fail(
      `failingRequestsRatio must be below 1 (a share, e.g. 0.01 for 1%), got ${failingRequestsRatio}`,
    );
  }
  const maxRestartsIn30m = props.maxRestartsIn30m ?? 2;
  if (!Number.isInteger(maxRestartsIn30m) || maxRestartsIn30m < 1) {
    fail(
      `maxRestartsIn30m must be an integer ≥ 1 (a rollout restarts each pod once), got ${String(maxRestartsIn30m)}`,
    );
  }
  const volumeForecast = props.volumeForecast ?? '24h';
  if (!isPrometheusDuration(volumeForecast)) {
    fail(
      `volumeForecast must be a Prometheus duration such as 24h or 3d, got ${JSON.stringify(volumeForecast)}`,
    );
  }
  return {
    jobSelector,
    jobLabels,
    podLabel,
    runbookUrl,
    syncLatencyP99Seconds: positive(
      'syncLatencyP99Seconds',
      props.syncLatencyP99Seconds ?? 0.1,
      'seconds, e.g. 0.1 for 100 ms',
    ),
    failingRequestsRatio,
    maxRestartsIn30m,
    volumeForecast,
  };
}
