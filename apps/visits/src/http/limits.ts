/** Request bodies are not used by any route; anything beyond this is refused with 413. */
export const BODY_LIMIT_BYTES = 16 * 1024;
/** Request line and headers together; anything longer is refused with 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** A client has this long to send its request line and headers (a probe or a proxy sends them at once). */
export const HEADERS_TIMEOUT_MS = 5_000;
/** ...and this long for the whole request: no route reads a body beyond 16 KiB. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** How often Node checks those two timeouts (its default, 30 s, would let slow clients stay 3× longer). */
export const TIMEOUT_CHECK_INTERVAL_MS = 1_000;
/** Idle keep-alive connections (a load balancer's pool) stay open this long between requests. */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;
