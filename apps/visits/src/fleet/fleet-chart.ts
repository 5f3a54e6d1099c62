import type { FleetPod, FleetSnapshot } from './fleet.types.js';
import { escapeHtml, groupDigits } from './html.js';

/** The one line under the chart's title that says why the counts differ. */
export const FLEET_EXPLANATION =
  'Each pod counts visits on its own volume, and the Service sends every visitor to one of them: ' +
  'the number you see depends on the pod that answered.';

/** Styles of the chart; the page around it (page.ts) provides the colours. */
export const FLEET_CHART_CSS = `
.bars{list-style:none;margin:1rem 0;padding:0;display:grid;grid-template-columns:fit-content(40%) 1fr auto;gap:.6rem .75rem}
.row{display:grid;grid-column:1/-1;grid-template-columns:subgrid;row-gap:.25rem;align-items:center}
.name{font-weight:600;overflow-wrap:anywhere;line-height:1.2}
.addr{font-weight:400;font-size:.875rem}
.tag{display:inline-block;margin-left:.4rem;padding:0 .4rem;border-radius:999px;font-size:.75rem;font-weight:600;vertical-align:.1em;background:var(--card);color:var(--muted);white-space:nowrap}
.self .tag{background:var(--accent);color:var(--on-accent)}
.track{height:1.5rem;border-radius:.35rem;background:var(--card);overflow:hidden}
.bar{display:block;height:100%;min-width:0;background:var(--bar);border-radius:.35rem}
.self .bar{background:var(--accent)}
.value{text-align:right;font-variant-numeric:tabular-nums;font-weight:600}
.failed .track{background:repeating-linear-gradient(-45deg,var(--card) 0 .4rem,transparent .4rem .8rem)}
.failed .value{color:var(--bad)}
.why{grid-column:2/4;color:var(--bad);font-size:.875rem;overflow-wrap:anywhere}
.summary{color:var(--muted)}
.summary strong{color:var(--fg)}
`;

function row(p: FleetPod, max: number): string {
  const classes = ['row', p.self ? 'self' : '', p.error === undefined ? '' : 'failed'].filter(
    Boolean,
  );
  const attrs = [
    `class="${classes.join(' ')}"`,
    p.pod === null ? '' : `data-pod="${escapeHtml(p.pod)}"`,
    p.count === null ? '' : `data-count="${p.count}"`,
    p.address === undefined ? '' : `data-address="${escapeHtml(p.address)}"`,
    p.self ? 'aria-current="true"' : '',
  ].filter(Boolean);
  // A peer that never answered is known by its address only (a break allowed before the port).
  const name =
    p.pod === null
      ? `<span class="addr">${escapeHtml(p.address ?? 'unknown').replace(/:(?=[^:]*$)/, ':<wbr>')}</span>`
      : escapeHtml(p.pod);
  const tag = p.self
    ? '<span class="tag">this pod</span>'
    : p.error === undefined && p.ready === false
      ? '<span class="tag">not ready</span>'
      : '';
  if (p.count === null) {
    const at = p.pod === null || p.address === undefined ? '' : `${p.address}: `;
    const why = `${at}${p.error ?? 'no count'}`;
    return `<li ${attrs.join(' ')}><span class="name">${name}${tag}</span><span class="track"></span><span class="value">?</span><span class="why">${escapeHtml(why)}</span></li>`;
  }
  // Three decimals: the bar's length is the count's share of the largest, to a tenth of a pixel.
  const width = max === 0 ? 0 : Math.round((p.count / max) * 100_000) / 1000;
  return `<li ${attrs.join(' ')}><span class="name">${name}${tag}</span><span class="track"><span class="bar" style="width:${width}%"></span></span><span class="value">${groupDigits(p.count)}</span></li>`;
}

function summary(s: FleetSnapshot): string {
  const pods = s.pods.length;
  const failed = s.pods.filter((p) => p.error !== undefined).length;
  const total = `<strong>${groupDigits(s.total)}</strong> ${s.total === 1 ? 'visit' : 'visits'}`;
  if (s.source.via === 'none') return `${escapeHtml(s.source.note)}.`;
  const problem = s.source.via === 'dns' && s.source.error ? ` ${escapeHtml(s.source.error)}.` : '';
  if (failed > 0 || problem) {
    return `Incomplete: ${failed} of ${pods} ${pods === 1 ? 'pod' : 'pods'} did not answer, so the fleet has counted at least ${total}.${problem}`;
  }
  return `${total} on ${pods} ${pods === 1 ? 'pod' : 'pods'}, each as its own store held it when asked.`;
}

/** The fleet as a bar chart (HTML and CSS, no script): one bar per pod, this pod highlighted. */
export function fleetChart(s: FleetSnapshot, headingLevel: 'h1' | 'h2' = 'h2'): string {
  const max = Math.max(0, ...s.pods.map((p) => p.count ?? 0));
  return `<section class="fleet" aria-labelledby="fleet-title">
<${headingLevel} id="fleet-title">The fleet</${headingLevel}>
<p class="explain">${escapeHtml(FLEET_EXPLANATION)}</p>
<ol class="bars" data-complete="${s.complete}" data-total="${s.total}">
${s.pods.map((p) => row(p, max)).join('\n')}
</ol>
<p class="summary">${summary(s)}</p>
</section>`;
}
