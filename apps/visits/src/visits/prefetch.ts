import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a request is a browser's speculative load rather than someone opening the page:
 * `Sec-Purpose: prefetch` (the standard; `prefetch;prerender` for a prerender), and the older
 * `Purpose: prefetch` (Chrome), `X-Moz: prefetch` (Firefox), `X-Purpose: preview` (Safari).
 */
export function isPrefetch(headers: IncomingHttpHeaders): boolean {
  const secPurpose = headers['sec-purpose'];
  if (secPurpose !== undefined) {
    // A structured-field list: `prefetch`, `prefetch;prerender`, `prefetch;anonymous-client-ip`.
    const items = String(secPurpose).split(',');
    if (items.some((item) => token(item.split(';')[0]) === 'prefetch')) return true;
  }
  return (
    isOneOf(headers['purpose'], ['prefetch', 'preview']) ||
    isOneOf(headers['x-purpose'], ['prefetch', 'preview']) ||
    isOneOf(headers['x-moz'], ['prefetch'])
  );
}

function token(value: string | undefined): string {
  return (value ?? '').trim().toLowerCase();
}

function isOneOf(value: string | string[] | undefined, tokens: readonly string[]): boolean {
  return value !== undefined && tokens.includes(token(String(value)));
}
