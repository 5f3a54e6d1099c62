import { quoteValue } from '@stateful-visits/visits-contract';
import type { AppConfig } from '../config/app-config.js';
import { type StoreError } from '../store/store.errors.js';

/**
 * Why the service could not start, as the one `fatal` line main.ts logs before exit code 1:
 * `msg` says what is wrong and what to do, naming the setting to change; no stack trace (it
 * would say nothing an operator can act on).
 */
export interface StartupFailure {
  readonly msg: string;
  /** Stable, for tests and log queries: the errno or the store error's code. */
  readonly code: string;
  /** The environment variable to look at. */
  readonly setting?: 'PORT' | 'OPS_PORT' | 'HOST' | 'DATA_DIR' | 'RECENT_VISITS';
}

/** The store refused to open: its message already says what is wrong and what to do. */
export function storeStartupFailure(error: StoreError): StartupFailure {
  const setting =
    error.code === 'VOLUME_TOO_SMALL'
      ? 'RECENT_VISITS'
      : error.code === 'STORE_CORRUPT'
        ? undefined
        : 'DATA_DIR';
  return { msg: error.message, code: error.code, ...(setting ? { setting } : {}) };
}

/** Listening on HOST and a port (PORT, or OPS_PORT) failed: which setting to change, and how. */
export function listenFailure(
  error: unknown,
  { port, host }: Pick<AppConfig, 'port' | 'host'>,
  portSetting: 'PORT' | 'OPS_PORT' = 'PORT',
): StartupFailure {
  const code = (error as NodeJS.ErrnoException).code ?? 'ERROR';
  const hostShown = quoteValue(host);
  const anyAddress = 'or to 0.0.0.0 (every IPv4 interface) or :: (every interface)';
  switch (code) {
    case 'EADDRINUSE':
      return {
        code,
        setting: portSetting,
        msg:
          `${portSetting} ${port} is already in use on ${hostShown}: another process listens there (another ` +
          `instance of this service?). Stop it, or set ${portSetting} to a free port.`,
      };
    case 'EACCES':
      return {
        code,
        setting: portSetting,
        msg:
          `${portSetting} ${port} needs a privilege this process does not have (ports below 1024 do): ` +
          `set ${portSetting} to 1024 or above.`,
      };
    case 'EADDRNOTAVAIL':
      return {
        code,
        setting: 'HOST',
        msg: `HOST ${hostShown} is not an address of this machine: set HOST to one of its addresses, ${anyAddress}.`,
      };
    case 'EAFNOSUPPORT':
      return {
        code,
        setting: 'HOST',
        msg: `HOST ${hostShown} is an IPv6 address, and this machine has no IPv6: set HOST to an IPv4 address, such as 0.0.0.0 (every IPv4 interface).`,
      };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
    case 'EAI_NONAME':
      return {
        code,
        setting: 'HOST',
        msg:
          `HOST ${hostShown} cannot be resolved to an address (${code}${code === 'EAI_AGAIN' ? ': the DNS server did not answer' : ''}): ` +
          `set HOST to an IP address of this machine, ${anyAddress}.`,
      };
    default:
      return {
        code,
        msg:
          `could not listen on HOST ${hostShown}, ${portSetting} ${port}: ${error instanceof Error ? error.message : String(error)}. ` +
          'Check both settings.',
      };
  }
}
