import type { FleetPod } from '../fleet.types.js';

/** The row `GET /fleet` shows for a peer that gave no count: where it was asked, and why. */
export function unansweredRow(address: string, error: string): FleetPod {
  return { pod: null, address, count: null, self: false, ready: false, error };
}

/** Peer rows in the order `GET /fleet` lists them: by address. */
export function byAddress(rows: FleetPod[]): FleetPod[] {
  return rows.sort((a, b) => ((a.address ?? '') < (b.address ?? '') ? -1 : 1));
}
