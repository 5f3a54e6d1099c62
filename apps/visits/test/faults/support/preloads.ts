import { fileURLToPath } from 'node:url';

/** Preload modules (node --import) that inject faults without seams in the production code. */
export const preload = {
  /** Records every write, truncate, rename and sync in DATA_DIR to FAULT_POWER_LOG. */
  powerLoss: fileURLToPath(new URL('../preload/power-loss-recorder.ts', import.meta.url)),
  /** Fails the journal's writes or syncs after a number of them (FAULT_IO_*). */
  ioFaults: fileURLToPath(new URL('../preload/io-faults.ts', import.meta.url)),
  /** Shifts Date.now by the next FAULT_CLOCK_JUMPS step on every SIGUSR2. */
  clockJumps: fileURLToPath(new URL('../preload/clock-jumps.ts', import.meta.url)),
} as const;
