/** What the global setup hands to every integration file (through vitest's provide/inject). */
export type IntegrationEnvironment =
  | {
      readonly available: true;
      /** Marks every container, network and volume of this run, for the final sweep. */
      readonly runId: string;
      /** The service image built from docker/Dockerfile. */
      readonly image: string;
      /** Its VERSION and REVISION build arguments: what its /version reports. */
      readonly version: string;
      readonly revision: string;
      /** A second build of the same Dockerfile (another tag and version label): the rolling update's target. */
      readonly nextImage: string;
      readonly nextVersion: string;
      /** The base image both builds used (NODE_IMAGE). */
      readonly nodeImage: string;
    }
  | { readonly available: false; readonly reason: string };

declare module 'vitest' {
  export interface ProvidedContext {
    integration: IntegrationEnvironment;
  }
}

/** Label on everything the suite creates; its value is the run id. */
export const RUN_LABEL = 'org.stateful-visits.integration-run';

export const NO_ENGINE_HINT =
  'Start one with `bash scripts/start-docker.sh` (installs Debian docker.io if needed and starts dockerd), ' +
  'or point DOCKER_HOST at a running engine, then run the suite again.';
