import { describe, expect, it } from 'vitest';
import { matches, podTemplate, render } from '../test/support.js';

describe('visitsPodDisruptionBudget', () => {
  it('lets voluntary disruptions take at most one pod at a time', () => {
    const { podDisruptionBudget } = render();
    expect(podDisruptionBudget.spec?.maxUnavailable).toBe(1);
    expect(podDisruptionBudget.spec).not.toHaveProperty('minAvailable');
  });

  it('covers the StatefulSet pods', () => {
    const { podDisruptionBudget } = render();
    expect(
      matches(podDisruptionBudget.spec?.selector?.matchLabels, podTemplate().metadata?.labels),
    ).toBe(true);
  });

  it('never lets a pod that is not ready block a drain', () => {
    expect(render().podDisruptionBudget.spec?.unhealthyPodEvictionPolicy).toBe('AlwaysAllow');
  });
});
