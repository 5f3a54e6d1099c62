// Prometheus' duration syntax (`30s`, `1m30s`, `24h`): the ServiceMonitor's scrape interval and the
// rules' volume forecast take it; the rules also need it in seconds.
const DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/;

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  y: 365 * 86_400,
  w: 7 * 86_400,
  d: 86_400,
  h: 3_600,
  m: 60,
  s: 1,
  ms: 0.001,
};

/** Whether `value` is a Prometheus duration: units from largest to smallest, each at most once. */
export function isPrometheusDuration(value: string): boolean {
  return value !== '' && DURATION.test(value);
}

/** The seconds a Prometheus duration (one {@link isPrometheusDuration} accepts) stands for. */
export function durationSeconds(duration: string): number {
  let seconds = 0;
  for (const [, n, unit] of duration.matchAll(/(\d+)(ms|[ywdhms])/g)) {
    seconds += Number(n) * UNIT_SECONDS[unit!]!;
  }
  return seconds;
}
