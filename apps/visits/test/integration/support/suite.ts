import { describe, inject, it } from 'vitest';
import type { IntegrationEnvironment } from './environment.js';

type Available = Extract<IntegrationEnvironment, { available: true }>;

/**
 * describe() for a Docker-backed suite. Without an engine the suite is reported as skipped, with
 * the reason in its title, never silently passed.
 */
export function describeWithDocker(
  title: string,
  timeoutMs: number,
  body: (environment: Available) => void,
): void {
  const environment = inject('integration');
  if (!environment.available) {
    describe.skip(`${title} [skipped: ${environment.reason}]`, () => {
      it('needs a Docker engine', () => {});
    });
    return;
  }
  describe(title, { timeout: timeoutMs }, () => body(environment));
}
