/**
 * Whether the run is CI's: `CI` set to anything but empty, `0` or `false` (in any case). Where a
 * suite would skip for want of a tool (Docker, kubectl), CI makes that an error instead, so a suite
 * can never pass there by not running.
 */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env['CI']?.trim().toLowerCase();
  return ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false';
}
