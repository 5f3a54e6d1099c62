// The careful peer: what a careful developer writes without group commit. One visit at a time
// behind a lock: write the new count, fdatasync, answer. Durable and exact, and bound by the disk:
// one sync per visit, so its rate is the disk's syncs per second, whatever the CPU.
import { mkdir, open } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { answer } from './answer.mjs';

const dir = process.env.DATA_DIR ?? './data';
await mkdir(dir, { recursive: true });
const file = await open(join(dir, 'visits'), 'w');
let count = 0;
let lock = Promise.resolve();

/** Runs `fn` after every visit before it has finished: the lock. */
function serially(fn) {
  const run = lock.then(fn);
  lock = run.catch(() => {});
  return run;
}

async function record() {
  const next = count + 1;
  const text = Buffer.from(`${next}\n`);
  await file.write(text, 0, text.length, 0);
  await file.datasync();
  count = next;
  return next;
}

createServer((req, res) => {
  req.resume();
  if (req.method !== 'POST') return answer(res, 200, 'careful', count);
  serially(record).then(
    (n) => answer(res, 201, 'careful', n),
    (error) => {
      res.writeHead(503).end(String(error));
    },
  );
}).listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
