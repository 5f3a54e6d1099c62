import { describe, expect, it } from 'vitest';
import { parsePrometheusText, sampleValue } from './prometheus-text.js';

// The integration suite trusts this parser to reject malformed /metrics output; prove it does.
const valid = [
  '# HELP visits_recorded_total Visits this process recorded.',
  '# TYPE visits_recorded_total counter',
  'visits_recorded_total 7',
  '# TYPE visits_store_count gauge',
  'visits_store_count{pod="visits-0"} 9 1700000000000',
  '# HELP http_request_duration_seconds Request latency.',
  '# TYPE http_request_duration_seconds histogram',
  'http_request_duration_seconds_bucket{le="0.1",method="GET",route="/visits",status_code="200"} 2',
  'http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/visits",status_code="200"} 3',
  'http_request_duration_seconds_sum{method="GET",route="/visits",status_code="200"} 0.25',
  'http_request_duration_seconds_count{method="GET",route="/visits",status_code="200"} 3',
  '',
].join('\n');

describe('parsePrometheusText', () => {
  it('parses families, labels, values and histogram series', () => {
    const sut = parsePrometheusText(valid);
    expect(sut.get('visits_recorded_total')).toMatchObject({
      type: 'counter',
      help: 'Visits this process recorded.',
    });
    expect(sampleValue(sut, 'visits_store_count')).toBe(9);
    expect(sampleValue(sut, 'http_request_duration_seconds_count', { route: '/visits' })).toBe(3);
  });

  it('reads escaped label values', () => {
    const sut = parsePrometheusText('# TYPE m gauge\nm{path="a\\"b\\\\c\\nd"} 1\n');
    expect(sut.get('m')?.samples[0]?.labels['path']).toBe('a"b\\c\nd');
  });

  it.each([
    ['a sample without TYPE', 'x 1\n'],
    ['no final newline', '# TYPE x gauge\nx 1'],
    ['a bad value', '# TYPE x gauge\nx one\n'],
    ['an unterminated label', '# TYPE x gauge\nx{a="1} 1\n'],
    ['a duplicate label', '# TYPE x gauge\nx{a="1",a="2"} 1\n'],
    ['a label without quotes', '# TYPE x gauge\nx{a=1} 1\n'],
    ['a negative counter', '# TYPE x_total counter\nx_total -1\n'],
    ['a second TYPE', '# TYPE x gauge\n# TYPE x gauge\nx 1\n'],
    ['an unknown type', '# TYPE x meter\nx 1\n'],
    ['garbage after the value', '# TYPE x gauge\nx 1 2 3\n'],
    ['a histogram without +Inf', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n'],
    [
      'a non-cumulative histogram',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
    ],
    [
      'a histogram count mismatch',
      '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n',
    ],
  ])('rejects %s', (_, text) => {
    expect(() => parsePrometheusText(text)).toThrow();
  });
});
