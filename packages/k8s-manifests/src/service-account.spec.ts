import { describe, expect, it } from 'vitest';
import { render } from '../test/support.js';

describe('visitsServiceAccount', () => {
  it('is the pods own account and mounts no token', () => {
    const { serviceAccount } = render();
    expect(serviceAccount.metadata?.name).toBe('visits');
    expect(serviceAccount.automountServiceAccountToken).toBe(false);
  });
});
