import { fleetChart } from './fleet-chart.js';
import type { FleetSnapshot } from './fleet.types.js';
import { escapeHtml } from './html.js';
import { page } from './page.js';

const code = (text: string) => `<code>${escapeHtml(text)}</code>`;

function source(s: FleetSnapshot): string {
  switch (s.source.via) {
    case 'dns':
      return `Pods found by asking DNS for ${code(s.source.name)}; each was asked for its count.`;
    case 'peers':
      return `Peers configured in FLEET_PEERS: ${s.source.peers.map(code).join(', ')}.`;
    case 'none':
      return '';
  }
}

/** `GET /fleet` for a browser: the chart, and where the pods came from. */
export function fleetPage(s: FleetSnapshot, self: string): string {
  const from = source(s);
  return page(
    `The fleet, as ${self} sees it`,
    `${fleetChart(s, 'h1')}${from === '' ? '' : `\n<p class="muted">${from}</p>`}`,
  );
}
