/**
 * The path of a request's target without its query: `/visits` for origin-form `/visits?limit=1`
 * and for absolute-form `http://host/visits`, which HTTP/1.1 servers must accept (RFC 9112
 * 3.2.2) and Fastify's router does; `request.url` keeps the target as sent.
 */
export function requestPath(url: string): string {
  const absolute = url.startsWith('/') ? null : /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(url);
  const rest = absolute === null ? url : url.slice(absolute[0].length);
  const end = rest.search(/[?#]/);
  const path = end === -1 ? rest : rest.slice(0, end);
  return absolute !== null && path === '' ? '/' : path;
}
