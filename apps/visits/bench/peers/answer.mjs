// The answer every peer gives: the service's JSON body, { pod, count }, with its length.
export function answer(res, status, pod, count) {
  const body = JSON.stringify({ pod, count });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
