/*
 * Preload (node --import) for the simulated power loss: records, in FAULT_POWER_LOG, every change
 * the service makes to files in DATA_DIR and every sync, in the order they happen, so that after a
 * kill -9 the test can undo what a power cut could have lost (support/power-loss.ts).
 *
 *   {"op":"w",...}  before a write: inode, position, length, the bytes it overwrites, the old size
 *   {"op":"t",...}  before a truncate: inode, new length, old size, the bytes it cuts off
 *   {"op":"r",...}  before a rename: both paths and inodes, and a copy of the file it replaces
 *   {"op":"s",...}  after an fsync/fdatasync of a file or of the directory succeeded
 *
 * Events are written before the change (or after the sync), with a plain write(2): they survive
 * the kill -9 of this process, and an event for a change that never happened only undoes nothing.
 * It patches node:fs and FileHandle, not the service: the production code has no seam for this.
 */
// The originals are kept unbound on purpose and called with .call(this) from the patches.
/* eslint-disable @typescript-eslint/unbound-method */
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { dirname, join, resolve } from 'node:path';

const logPath = process.env['FAULT_POWER_LOG'];
const dataDirEnv = process.env['DATA_DIR'];
if (logPath === undefined || dataDirEnv === undefined)
  throw new Error('power-loss-recorder needs FAULT_POWER_LOG and DATA_DIR');
const dataDir = realPath(resolve(dataDirEnv));

function realPath(path: string): string {
  try {
    return fs.realpathSync(path);
  } catch {
    return path;
  }
}

const original = {
  writeSync: fs.writeSync,
  fstatSync: fs.fstatSync,
  readSync: fs.readSync,
  rename: fsp.rename,
};
const log = fs.openSync(logPath, 'a');
let backups = 0;

function emit(event: Record<string, unknown>): void {
  original.writeSync(log, `${JSON.stringify(event)}\n`);
}

/** The file behind `fd` when it is DATA_DIR itself or a file directly in it. */
function watched(fd: number): string | undefined {
  let path: string;
  try {
    path = fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
  return path === dataDir || dirname(path) === dataDir ? path : undefined;
}

function readOld(fd: number, position: number, length: number, size: number): string {
  const n = Math.max(0, Math.min(length, size - position));
  const old = Buffer.alloc(n);
  let done = 0;
  while (done < n) {
    const got = original.readSync(fd, old, done, n - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return old.subarray(0, done).toString('base64');
}

function beforeWrite(fd: number, position: unknown, length: number): void {
  const path = watched(fd);
  if (path === undefined) return;
  const { ino, size } = original.fstatSync(fd);
  if (typeof position !== 'number') {
    // The store always writes at a position; without one the change cannot be undone.
    emit({ op: 'w', ino, path, pos: null, len: length, oldSize: size, old: '' });
    return;
  }
  emit({
    op: 'w',
    ino,
    path,
    pos: position,
    len: length,
    oldSize: size,
    old: readOld(fd, position, length, size),
  });
}

function afterSync(fd: number): void {
  const path = watched(fd);
  if (path !== undefined) emit({ op: 's', ino: original.fstatSync(fd).ino, path });
}

function byteLength(data: unknown, encoding: unknown): number {
  if (typeof data === 'string')
    return Buffer.byteLength(
      data,
      typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8',
    );
  return (data as ArrayBufferView).byteLength;
}

/**
 * Where a write lands and how long it is, from the arguments fs.writeSync and FileHandle.write share:
 * (buffer, offset?, length?, position?) | (buffer, options) | (string, position?, encoding?).
 */
function writeExtent(data: unknown, rest: unknown[]): { position: unknown; length: number } {
  if (typeof data === 'string') return { position: rest[0], length: byteLength(data, rest[1]) };
  if (typeof rest[0] === 'object' && rest[0] !== null) {
    const o = rest[0] as { offset?: number; length?: number; position?: number | null };
    return {
      position: o.position,
      length: o.length ?? byteLength(data, undefined) - (o.offset ?? 0),
    };
  }
  const offset = (rest[0] as number | undefined) ?? 0;
  return {
    position: rest[2],
    length: (rest[1] as number | undefined) ?? byteLength(data, undefined) - offset,
  };
}

const patchedWriteSync = function (this: unknown, fd: number, data: unknown, ...rest: unknown[]) {
  const { position, length } = writeExtent(data, rest);
  beforeWrite(fd, position, length);
  return (original.writeSync as (...a: unknown[]) => number).call(this, fd, data, ...rest);
};
fs.writeSync = patchedWriteSync;

fsp.rename = async function (from: fs.PathLike, to: fs.PathLike): Promise<void> {
  const source = resolve(String(from));
  const target = resolve(String(to));
  if (dirname(target) === dataDir) {
    let backup: string | null = null;
    let toIno: number | null = null;
    try {
      const bytes = fs.readFileSync(target);
      toIno = fs.statSync(target).ino;
      backup = `${logPath}.${process.pid}.${++backups}.bak`;
      fs.writeFileSync(backup, bytes);
    } catch {
      // no file to replace
    }
    const fromIno = fs.statSync(source, { throwIfNoEntry: false })?.ino ?? null;
    emit({ op: 'r', from: source, to: target, fromIno, toIno, backup });
  }
  return original.rename(from, to);
};

// FileHandle methods: the prototype is shared by every handle fs/promises opens.
const probe = await fsp.open('/dev/null');
const handleProto = Object.getPrototypeOf(probe) as FileHandle;
await probe.close();

const handleWrite = handleProto.write as (...a: unknown[]) => Promise<unknown>;
handleProto.write = async function (this: FileHandle, data: unknown, ...rest: unknown[]) {
  const { position, length } = writeExtent(data, rest);
  beforeWrite(this.fd, position, length);
  return handleWrite.call(this, data, ...rest);
} as FileHandle['write'];

const handleTruncate = handleProto.truncate;
handleProto.truncate = async function (this: FileHandle, len = 0): Promise<void> {
  const path = watched(this.fd);
  if (path !== undefined) {
    const { ino, size } = original.fstatSync(this.fd);
    const old = size > len ? readOld(this.fd, len, size - len, size) : '';
    emit({ op: 't', ino, path, len, oldSize: size, old });
  }
  return handleTruncate.call(this, len);
};

for (const method of ['datasync', 'sync'] as const) {
  const sync = handleProto[method];
  handleProto[method] = async function (this: FileHandle): Promise<void> {
    await sync.call(this);
    afterSync(this.fd);
  };
}

for (const method of ['fdatasyncSync', 'fsyncSync'] as const) {
  const sync = fs[method];
  fs[method] = (fd: number) => {
    sync(fd);
    afterSync(fd);
  };
}

// ESM imports of node:fs and node:fs/promises (import { writeSync } from 'node:fs') see the patches.
syncBuiltinESMExports();
emit({ op: 'start', pid: process.pid, dataDir, journal: join(dataDir, 'visits.journal') });
