import { fleetChart } from '../fleet/fleet-chart.js';
import type { FleetSnapshot } from '../fleet/fleet.types.js';
import { escapeHtml, groupDigits } from '../fleet/html.js';
import { page } from '../fleet/page.js';

// Building an Intl.DateTimeFormat loads ICU's data (about 7 MiB of RSS): only requests that
// need one build it, once per zone, and an idle service has built none.
const isoFormatters = new Map<string, Intl.DateTimeFormat>();
const humanFormatters = new Map<string, Intl.DateTimeFormat>();

function cached(
  formatters: Map<string, Intl.DateTimeFormat>,
  timeZone: string,
  make: () => Intl.DateTimeFormat,
): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = make();
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

const parts = (formatter: Intl.DateTimeFormat, date: Date) =>
  Object.fromEntries(formatter.formatToParts(date).map((p) => [p.type, p.value]));

/** The current time in `timeZone` as ISO 8601 with that zone's offset, e.g. 2026-11-21T01:02:03.004+01:00. */
export function isoInZone(date: Date, timeZone: string): string {
  const p = parts(
    cached(
      isoFormatters,
      timeZone,
      () =>
        new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: '2-digit',
          day: '2-digit',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          fractionalSecondDigits: 3,
          timeZoneName: 'longOffset',
        }),
    ),
    date,
  );
  const offset = p.timeZoneName === 'GMT' ? '+00:00' : String(p.timeZoneName).replace('GMT', '');
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}.${p.fractionalSecond}${offset}`;
}

/** A moment as a person reads it in `timeZone`: `16:46:01`, `Saturday 21 November 2026`, `GMT+3`. */
export function humanTime(date: Date, timeZone: string) {
  const p = parts(
    cached(
      humanFormatters,
      timeZone,
      () =>
        new Intl.DateTimeFormat('en-GB', {
          timeZone,
          hourCycle: 'h23',
          weekday: 'long',
          day: 'numeric',
          month: 'long',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          second: '2-digit',
          timeZoneName: 'short',
        }),
    ),
    date,
  );
  return {
    time: `${p.hour}:${p.minute}:${p.second}`,
    date: `${p.weekday} ${p.day} ${p.month} ${p.year}`,
    zone: String(p.timeZoneName),
  };
}

/** Recent visits shown on the page (GET /visits lists up to RECENT_VISITS). */
export const PAGE_RECENT = 10;

export interface VisitPageData {
  readonly pod: string;
  /** This pod's count (after the visit, when one was recorded). */
  readonly count: number;
  readonly now: Date;
  readonly timeZone: string;
  /** Recent visit times (ms since the epoch), newest first. */
  readonly recent: readonly number[];
  /** The fleet, or undefined where it was not asked (HEAD). */
  readonly fleet: FleetSnapshot | undefined;
}

function recentList(d: VisitPageData, today: string): string {
  if (d.recent.length === 0) return '<p class="muted">No visits yet.</p>';
  const items = d.recent.slice(0, PAGE_RECENT).map((ms) => {
    const at = new Date(ms);
    const t = humanTime(at, d.timeZone);
    const day = t.date === today ? '' : ` <span class="muted">${escapeHtml(t.date)}</span>`;
    return `<li><time datetime="${at.toISOString()}">${t.time}</time>${day}</li>`;
  });
  return `<ol class="recent">${items.join('')}</ol>`;
}

const VISIT_CSS = `
.hero{margin:.5rem 0 1.5rem}
.lead{font-size:1.125rem;margin:0}
.count{font-size:clamp(3.5rem,20vw,6.5rem);font-weight:750;line-height:1;margin:.25rem 0;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
.clock{font-size:1.125rem}
.clock time{font-size:1.5rem;font-weight:650;font-variant-numeric:tabular-nums}
.recent{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;font-variant-numeric:tabular-nums}
`;

/** GET / for a browser: this pod's count and name, the time in TIMEZONE, its recent visits, the fleet. */
export function visitPage(d: VisitPageData): string {
  const pod = escapeHtml(d.pod);
  const now = humanTime(d.now, d.timeZone);
  const body = `<section class="hero">
<p class="lead">Pod <code class="pod">${pod}</code> has counted</p>
<p class="count" data-count="${d.count}">${groupDigits(d.count)}</p>
<p class="lead">${d.count === 1 ? 'visit' : 'visits'} on its own volume.</p>
</section>
<p class="clock">It is <time datetime="${d.now.toISOString()}">${now.time}</time> in ${escapeHtml(d.timeZone)} (${escapeHtml(now.zone)}), ${escapeHtml(now.date)}.</p>
${d.fleet === undefined ? '' : fleetChart(d.fleet)}
<h2>Recent visits on ${pod}</h2>
${recentList(d, now.date)}`;
  return page(`${groupDigits(d.count)} visits on ${d.pod}`, body, VISIT_CSS);
}
