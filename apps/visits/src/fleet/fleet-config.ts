import type { Environment } from '@stateful-visits/visits-contract';
import type { FleetConfig } from './fleet.types.js';

/** The fleet view's settings from the checked environment (FLEET_DNS and FLEET_PEERS exclude each other). */
export function fleetConfig(env: Environment): FleetConfig {
  const discovery =
    env.FLEET_DNS !== undefined
      ? { via: 'dns' as const, name: env.FLEET_DNS, port: env.PORT }
      : env.FLEET_PEERS !== undefined
        ? { via: 'peers' as const, peers: env.FLEET_PEERS }
        : { via: 'none' as const };
  return { discovery, timeoutMs: env.FLEET_TIMEOUT_MS };
}
