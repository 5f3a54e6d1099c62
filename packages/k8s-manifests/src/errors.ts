/**
 * Thrown by the builders for props that would render invalid or unsafe manifests.
 * The message names the prop, the value given and what to do instead.
 */
export class VisitsPropsError extends Error {
  override readonly name = 'VisitsPropsError';
}
