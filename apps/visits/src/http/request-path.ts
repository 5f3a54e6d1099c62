/**
 * The path of a request's target without its query: `/visits` for origin-form `/visits?limit=1`
 * and for absolute-form `http://host/visits`, which HTTP/1.1 servers must accept (RFC 9112
 * 3.2.2) and Fastify's router does; `request.url` keeps the target as sent.
 */
export function requestPath(url: string): string {
  let path = url;
  if (!url.startsWith('/')) {
    const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
    if (absolute !== null) path = url.slice(absolute[0].length) || '/';
  }
  const query = path.search(/[?#]/);
  return query === -1 ? path : path.slice(0, query);
}
