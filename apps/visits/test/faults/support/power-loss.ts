import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Random } from './random.js';

type Event =
  | { op: 'start'; pid: number; dataDir: string }
  | {
      op: 'w';
      ino: number;
      path: string;
      pos: number | null;
      len: number;
      oldSize: number;
      old: string;
    }
  | { op: 't'; ino: number; path: string; len: number; oldSize: number; old: string }
  | {
      op: 'r';
      from: string;
      to: string;
      fromIno: number | null;
      toIno: number | null;
      backup: string | null;
    }
  | { op: 's'; ino: number; path: string };

type Change = Extract<Event, { op: 'w' | 't' }>;

const SECTOR = 512;

export interface PowerLossOutcome {
  /** Changes that reached the disk although never synced (a random prefix of each file's). */
  readonly kept: number;
  /** Changes undone: what the power cut lost. */
  readonly lost: number;
  /** Changes cut in the middle (a torn write). */
  readonly torn: number;
  /** Renames undone because the directory was not synced after them. */
  readonly renamesUndone: number;
}

/**
 * Turns the data directory into a state a power cut at the moment of the kill -9 could have left,
 * from the recorder's log (preload/power-loss-recorder.ts): whatever was synced stays; of each
 * file's unsynced changes a random prefix survives, the next one may be torn at a sector boundary,
 * and the rest are undone; a rename not followed by a sync of the directory may be undone.
 */
export function simulatePowerLoss(
  dataDir: string,
  logPath: string,
  random: Random,
): PowerLossOutcome {
  const events = readEvents(logPath);
  const dirIno = statSync(dataDir).ino;
  let kept = 0;
  let lost = 0;
  let torn = 0;
  let renamesUndone = 0;

  // Renames after the last directory sync may not have reached the disk: undo a random suffix.
  const lastDirSync = events.findLastIndex((e) => e.op === 's' && e.ino === dirIno);
  const pendingRenames = events
    .slice(lastDirSync + 1)
    .filter((e): e is Extract<Event, { op: 'r' }> => e.op === 'r');
  const keepRenames = random.int(0, pendingRenames.length);
  for (const rename of pendingRenames.slice(keepRenames).reverse()) {
    const now = statSync(rename.to, { throwIfNoEntry: false });
    if (now === undefined || now.ino !== rename.fromIno) continue; // it never happened
    renameSync(rename.to, rename.from);
    if (rename.backup !== null) writeFileSync(rename.to, readFileSync(rename.backup));
    renamesUndone++;
  }

  // Per file (by inode), the changes since its last sync.
  const present = new Map<number, string>();
  for (const name of readdirSync(dataDir)) {
    const path = join(dataDir, name);
    present.set(statSync(path).ino, path);
  }
  const unsynced = new Map<number, Change[]>();
  for (const e of events) {
    if (e.op === 's') unsynced.delete(e.ino);
    else if (e.op === 'w' || e.op === 't') {
      const list = unsynced.get(e.ino) ?? [];
      list.push(e);
      unsynced.set(e.ino, list);
    }
  }
  for (const [ino, changes] of unsynced) {
    const path = present.get(ino);
    if (path === undefined) continue; // deleted, or a temporary journal moved away above
    const keep = random.int(0, changes.length);
    kept += keep;
    const fd = openSync(path, 'r+');
    try {
      for (let i = changes.length - 1; i >= keep; i--) {
        const change = changes[i]!;
        const tearAt = i === keep && random.chance(0.5) ? tearPoint(change, random) : 0;
        undo(fd, change, tearAt);
        if (tearAt > 0) torn++;
        else lost++;
      }
    } finally {
      closeSync(fd);
    }
  }
  return { kept, lost, torn, renamesUndone };
}

/**
 * Where a write can be torn: at a sector boundary inside it. A sector is written whole or not at
 * all (the assumption PostgreSQL makes for its 512-byte pg_control); 0 when the write fits in one.
 */
function tearPoint(change: Change, random: Random): number {
  if (change.op !== 'w' || change.pos === null) return 0;
  const first = Math.floor(change.pos / SECTOR) + 1;
  const last = Math.ceil((change.pos + change.len) / SECTOR) - 1;
  if (last < first) return 0;
  return random.int(first, last) * SECTOR - change.pos;
}

/** Undoes one change; for a write, `keepBytes` of its start stay (a torn write). */
function undo(fd: number, change: Change, keepBytes: number): void {
  const old = Buffer.from(change.old, 'base64');
  if (change.op === 't') {
    // Back to the old size, with the bytes the truncate cut off.
    if (change.oldSize > change.len) writeAll(fd, old, change.len);
    else ftruncateSync(fd, change.oldSize);
    return;
  }
  if (change.pos === null)
    throw new Error(`cannot undo a write without a position to ${change.path}`);
  if (keepBytes < old.length) writeAll(fd, old.subarray(keepBytes), change.pos + keepBytes);
  const end = change.pos + change.len;
  if (end > change.oldSize) {
    const size = Math.max(change.oldSize, change.pos + keepBytes);
    if (fstatSync(fd).size > size) ftruncateSync(fd, size);
  }
}

function writeAll(fd: number, data: Buffer, position: number): void {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

function readEvents(logPath: string): Event[] {
  if (!existsSync(logPath)) return [];
  const lines = readFileSync(logPath, 'utf8').split('\n');
  const events: Event[] = [];
  lines.forEach((line, i) => {
    if (line === '') return;
    try {
      events.push(JSON.parse(line) as Event);
    } catch (error) {
      // Only the last line can be cut short by the kill.
      if (i < lines.length - 2) throw error;
    }
  });
  return events;
}

/** Removes the recorder's log and its backups. */
export function removeLog(logPath: string): void {
  for (const e of readEvents(logPath))
    if (e.op === 'r' && e.backup !== null && existsSync(e.backup)) unlinkSync(e.backup);
  if (existsSync(logPath)) unlinkSync(logPath);
}
