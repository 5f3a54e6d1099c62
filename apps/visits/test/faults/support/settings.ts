/**
 * How hard the fault suite pushes. CI runs the normal mode; FAULTS_LONG=1 runs the long mode
 * (1,000+ crash cycles, 100,000+ fuzzed journals). FAULTS_SEED replays a run: every random choice
 * comes from it, and each file prints the seed it used.
 */
export const LONG = process.env['FAULTS_LONG'] === '1';

export const SEED = (() => {
  const given = process.env['FAULTS_SEED'];
  if (given === undefined || given === '') return (Date.now() ^ (process.pid << 8)) >>> 0;
  const n = Number(given);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`FAULTS_SEED must be a whole number`);
  return n >>> 0;
})();

/** One line per case with its figures, for docs/reliability.md. */
export function report(what: string, figures: Record<string, number | string>): void {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${v}`);
  console.info(`[faults] ${what}: ${parts.join(' ')} (seed ${SEED}${LONG ? ', long mode' : ''})`);
}

console.info(
  `[faults] FAULTS_SEED=${SEED}${LONG ? ' FAULTS_LONG=1' : ''} (set FAULTS_SEED to replay this run)`,
);
