import { readBuildInfo, type BuildInfo } from './read-build-info.js';

export type { BuildInfo };

/** Stamped into dist/visits.cjs by rolldown.config.js (`define`); absent from the tsc output. */
declare const __VISITS_BUILD_INFO__: BuildInfo | undefined;

/**
 * The build this process runs. The bundle (what the image runs) carries it as a constant, read
 * when it was built; the per-module output (dist/main.js, and the tests) reads it when loaded.
 */
export const BUILD_INFO: BuildInfo =
  typeof __VISITS_BUILD_INFO__ === 'undefined'
    ? readBuildInfo(process.env, new URL('../../', import.meta.url))
    : __VISITS_BUILD_INFO__;
