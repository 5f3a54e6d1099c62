// Test-only helpers, kept out of the public index: `@stateful-visits/k8s-manifests/testing`.
export { restrictedProfileViolations } from './pod-security.js';
