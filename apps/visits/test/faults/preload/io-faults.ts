/*
 * Preload (node --import) that makes the journal's I/O fail the way a failing disk does, without a
 * seam in the production code:
 *
 *   FAULT_IO_OP     datasync | write   which call fails
 *   FAULT_IO_AFTER  N                  that many calls on the journal succeed first
 *   FAULT_IO_CODE   EIO (default)      the errno the failing calls report; every later one fails too
 *
 * Only calls on DATA_DIR/visits.journal count and fail. When the first one fails, a line
 * {"fault":"injected",...} goes to stderr.
 *
 * Or it makes the volume's statfs hang the way a hung NFS server or CSI driver does, holding a
 * thread of libuv's pool for as long as it hangs:
 *
 *   FAULT_IO_OP     statfs
 *   FAULT_IO_GATE   a FIFO             each statfs of a path in DATA_DIR first opens it for reading,
 *                                      which blocks (in the pool) while nobody holds its write end
 *
 * The test holds the FIFO open read-write while the volume answers, and closes it to hang it.
 * Each gated statfs writes {"fault":"statfs","inFlight":N} to stderr as it starts and as it ends.
 */
// The originals are kept unbound on purpose and called with .call(this) from the patches.
/* eslint-disable @typescript-eslint/unbound-method */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join, resolve } from 'node:path';

const op = process.env['FAULT_IO_OP'];
const after = Number(process.env['FAULT_IO_AFTER'] ?? '0');
const code = process.env['FAULT_IO_CODE'] ?? 'EIO';
const gate = process.env['FAULT_IO_GATE'];
const dataDirEnv = process.env['DATA_DIR'];
if (
  (op !== 'datasync' && op !== 'write' && op !== 'statfs') ||
  !Number.isSafeInteger(after) ||
  !dataDirEnv ||
  (op === 'statfs' && !gate)
)
  throw new Error(
    'io-faults needs DATA_DIR and FAULT_IO_OP=datasync|write with FAULT_IO_AFTER=N, or FAULT_IO_OP=statfs with FAULT_IO_GATE=<fifo>',
  );

let journal = join(resolve(dataDirEnv), 'visits.journal');
try {
  journal = join(fs.realpathSync(resolve(dataDirEnv)), 'visits.journal');
} catch {
  // created by the service later
}

let calls = 0;
let failing = false;

/** Whether this call on `fd` fails. */
function fails(fd: number): boolean {
  let path: string;
  try {
    path = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return false;
  }
  if (path !== journal) return false;
  if (failing) return true;
  calls++;
  if (calls <= after) return false;
  failing = true;
  process.stderr.write(`${JSON.stringify({ fault: 'injected', op, code, after })}\n`);
  return true;
}

function error(syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected fault, ${syscall}`), { code, syscall });
}

if (op === 'statfs') {
  const dataDir = resolve(dataDirEnv);
  const statfs = fsp.statfs;
  let inFlight = 0;
  const report = () => process.stderr.write(`${JSON.stringify({ fault: 'statfs', inFlight })}\n`);
  fsp.statfs = async function (this: unknown, path: fs.PathLike, ...rest: unknown[]) {
    const target = resolve(String(path));
    if (target === dataDir || target.startsWith(`${dataDir}/`)) {
      inFlight++;
      report();
      try {
        // Blocks one of libuv's threads until the test holds the FIFO's write end again.
        await (await fsp.open(gate!, 'r')).close();
      } finally {
        inFlight--;
        report();
      }
    }
    return (statfs as (...a: unknown[]) => Promise<fs.StatsFs>).call(this, path, ...rest);
  } as typeof fsp.statfs;
  syncBuiltinESMExports();
}

if (op === 'write') {
  const writeSync = fs.writeSync;
  fs.writeSync = function (this: unknown, fd: number, ...rest: unknown[]) {
    if (fails(fd)) throw error('write');
    return (writeSync as (...a: unknown[]) => number).call(this, fd, ...rest);
  };
  syncBuiltinESMExports();
}

const probe = await fsp.open('/dev/null');
const handleProto = Object.getPrototypeOf(probe) as FileHandle;
await probe.close();

if (op === 'statfs') {
  // nothing more: the journal's writes and syncs are left alone
} else if (op === 'write') {
  const write = handleProto.write as (...a: unknown[]) => Promise<unknown>;
  handleProto.write = async function (this: FileHandle, ...args: unknown[]) {
    if (fails(this.fd)) throw error('write');
    return write.call(this, ...args);
  } as FileHandle['write'];
} else {
  for (const method of ['datasync', 'sync'] as const) {
    const sync = handleProto[method];
    handleProto[method] = async function (this: FileHandle): Promise<void> {
      if (fails(this.fd)) throw error(method === 'sync' ? 'fsync' : 'fdatasync');
      return sync.call(this);
    };
  }
}
