// A picture of the seeds, not a peer: read the count file, add one, write it back. No lock, no
// fsync, so concurrent requests overwrite each other's updates. Neither durable nor exact, so no
// target compares with it; kept naive on purpose, to show what the seeds did, not to copy.
import { createServer } from 'node:http';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

const dir = process.env.DATA_DIR ?? './data';
const file = join(dir, 'visits');
await mkdir(dir, { recursive: true });

createServer(async (req, res) => {
  req.resume();
  let count = Number(await readFile(file, 'utf8').catch(() => '0'));
  if (req.method === 'POST') {
    count += 1;
    await writeFile(file, String(count));
  }
  const body = JSON.stringify({ pod: 'naive', count });
  res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
  res.end(body);
}).listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
