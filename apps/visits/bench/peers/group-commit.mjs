// The limit for one Node process: bare node:http with the service's own group commit and nothing
// else (no framework, no log, no metrics). Visits that arrive in the same turn of the event loop
// share one record: written positionally into a preallocated 1 MiB journal, one fdatasync, then
// every visit in it is answered with its own count. The next batch's write and sync start before
// the previous batch's answers go out. A full journal is replaced as the store does it (new file,
// sync, rename, sync of the directory). Durable and exact, like the service: the ratio between the
// two is what NestJS, Fastify's hooks, the access log and the metrics cost.
import { writeSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { setImmediate } from 'node:timers';
import { crc32 } from 'node:zlib';
import { answer } from './answer.mjs';

const dir = process.env.DATA_DIR ?? './data';
const CAPACITY = 1024 * 1024;
const RECENT = 100;
await mkdir(dir, { recursive: true });

function record(count, added, timestamps) {
  const n = timestamps.length;
  const buf = Buffer.alloc(12 + 20 + 8 * n);
  buf.writeUInt32LE(0x53565231, 0);
  buf.writeUInt32LE(20 + 8 * n, 4);
  buf.writeUInt8(2, 8);
  buf.writeBigUInt64LE(BigInt(count), 12);
  buf.writeUInt32LE(added, 20);
  buf.writeUInt32LE(n, 24);
  for (let i = 0; i < n; i++) buf.writeDoubleLE(timestamps[i], 28 + 8 * i);
  buf.writeUInt32LE(crc32(buf.subarray(0, buf.length - 4)), buf.length - 4);
  return buf;
}

function writeAll(fd, data, position) {
  let done = 0;
  while (done < data.length) done += writeSync(fd, data, done, data.length - done, position + done);
}

/** A new journal holding `count` as its first record: temp file, sync, rename, sync the directory. */
async function newJournal(count) {
  const tmp = join(dir, 'visits.journal.tmp');
  const file = await open(tmp, 'w+');
  const buf = Buffer.alloc(CAPACITY);
  const first = record(count, 0, []);
  first.copy(buf, 32);
  writeAll(file.fd, buf, 0);
  await file.datasync();
  await rename(tmp, join(dir, 'visits.journal'));
  const dirHandle = await open(dir, 'r');
  await dirHandle.datasync();
  await dirHandle.close();
  return { file, end: 32 + first.length };
}

let count = 0;
let { file: journal, end } = await newJournal(0);
const view = await open(join(dir, 'visits'), 'w');
let pending = [];
let flushing = false;
let scheduled = false;

function schedule() {
  if (flushing || scheduled) return;
  scheduled = true;
  // One turn of the event loop, so that requests arriving together share one write and sync.
  setImmediate(() => {
    scheduled = false;
    if (!flushing) void flushLoop();
  });
}

async function flushLoop() {
  flushing = true;
  let acknowledge;
  while (pending.length > 0) {
    const batch = pending;
    pending = [];
    const committing = commit(batch);
    acknowledge?.();
    acknowledge = await committing;
  }
  acknowledge?.();
  flushing = false;
  if (pending.length > 0) schedule();
}

async function commit(batch) {
  const before = count;
  const after = before + batch.length;
  const rec = record(
    after,
    batch.length,
    batch.slice(-RECENT).map((v) => v.at),
  );
  if (end + rec.length > CAPACITY) {
    const old = journal;
    ({ file: journal, end } = await newJournal(after));
    await old.close();
  } else {
    writeAll(journal.fd, rec, end);
    await journal.datasync();
    end += rec.length;
  }
  count = after;
  return () => {
    writeSync(view.fd, `${after}\n`, 0);
    for (let i = 0; i < batch.length; i++)
      answer(batch[i].res, 201, 'group-commit', before + i + 1);
  };
}

createServer((req, res) => {
  req.resume();
  if (req.method === 'POST') {
    pending.push({ res, at: Date.now() });
    schedule();
  } else answer(res, 200, 'group-commit', count);
}).listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
