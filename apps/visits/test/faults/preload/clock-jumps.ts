/*
 * Preload (node --import) that makes the wall clock jump, as NTP corrections, a VM restored from a
 * snapshot or a dead RTC battery do. Date.now() returns the real time plus an offset; each SIGUSR2
 * applies the next step of FAULT_CLOCK_JUMPS (comma-separated milliseconds, added to the offset)
 * and writes {"clock":"jumped","offset":N} to stderr. FAULT_CLOCK_OFFSET sets the offset to start with.
 * Timers are unaffected (they use the monotonic clock), as on a real machine.
 */
const steps = (process.env['FAULT_CLOCK_JUMPS'] ?? '')
  .split(',')
  .filter((s) => s.trim() !== '')
  .map(Number);
if (steps.some((s) => !Number.isFinite(s)))
  throw new Error('FAULT_CLOCK_JUMPS must be comma-separated milliseconds');

const realNow = Date.now.bind(Date);
let offset = Number(process.env['FAULT_CLOCK_OFFSET'] ?? '0');
Date.now = () => realNow() + offset;

process.on('SIGUSR2', () => {
  const step = steps.shift();
  if (step === undefined) return;
  offset += step;
  process.stderr.write(`${JSON.stringify({ clock: 'jumped', offset })}\n`);
});

export {};
