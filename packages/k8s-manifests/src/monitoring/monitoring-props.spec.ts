import { describe, expect, it } from 'vitest';
import { VisitsPropsError } from '../errors.js';
import { parseSelector, resolveMonitoringProps } from './monitoring-props.js';

describe('resolveMonitoringProps', () => {
  it('applies the documented defaults', () => {
    expect(resolveMonitoringProps()).toEqual({
      jobSelector: 'job="visits"',
      jobLabels: ['job'],
      podLabel: 'pod',
      runbookUrl: 'docs/deployment.md',
      syncLatencyP99Seconds: 0.1,
      failingRequestsRatio: 0.01,
      maxRestartsIn30m: 2,
      volumeForecast: '24h',
    });
  });

  it('lists the labels a job selector of several matchers uses', () => {
    expect(
      resolveMonitoringProps({ jobSelector: 'job="visits-headless", namespace=~"prod|staging"' })
        .jobLabels,
    ).toEqual(['job', 'namespace']);
  });

  it.each([
    [{ jobSelector: 'visits' }, /jobSelector must be PromQL label matchers.*"visits" is not one/],
    [{ jobSelector: '{job="visits"}' }, /jobSelector must be PromQL label matchers without braces/],
    [{ jobSelector: '' }, /jobSelector must match at least one label/],
    [{ jobSelector: "job='visits'" }, /jobSelector must be PromQL label matchers/],
    [
      { podLabel: 'pod-name' },
      /podLabel must be a Prometheus label name such as pod, got "pod-name"/,
    ],
    [{ podLabel: '__name__' }, /podLabel must be a Prometheus label name/],
    [
      { runbookUrl: 'https://example.com/deployment.md#monitoring' },
      /runbookUrl must be .* without an anchor/,
    ],
    [{ syncLatencyP99Seconds: 0 }, /syncLatencyP99Seconds must be a number above 0, got 0/],
    [{ failingRequestsRatio: 1 }, /failingRequestsRatio must be below 1/],
    [{ failingRequestsRatio: -0.1 }, /failingRequestsRatio must be a number above 0/],
    [{ maxRestartsIn30m: 0 }, /maxRestartsIn30m must be an integer ≥ 1/],
    [
      { volumeForecast: 'a day' },
      /volumeForecast must be a Prometheus duration such as 24h or 3d, got "a day"/,
    ],
  ])('rejects %j with a message naming the prop and what it takes', (props, message) => {
    expect(() => resolveMonitoringProps(props)).toThrow(VisitsPropsError);
    expect(() => resolveMonitoringProps(props)).toThrow(message);
  });
});

describe('parseSelector', () => {
  it('splits matchers on commas outside quoted values', () => {
    expect(parseSelector('job="a,b", route!~"/x\\"y"')).toEqual([
      { label: 'job', op: '=', value: 'a,b' },
      { label: 'route', op: '!~', value: '/x\\"y' },
    ]);
  });
});
