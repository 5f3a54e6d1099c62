// A picture, not a peer: node:http answering a constant, no framework, no disk (the platform's
// ceiling for a request at all).
import { createServer } from 'node:http';

const body = JSON.stringify({ pod: 'bare', count: 0 });
createServer((req, res) => {
  req.resume();
  res.writeHead(req.method === 'POST' ? 201 : 200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}).listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
