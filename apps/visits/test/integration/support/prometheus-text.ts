/**
 * A strict parser for the Prometheus text exposition format (version 0.0.4), enough to prove that
 * /metrics is well-formed: every line is a comment, HELP, TYPE or sample; every sample belongs to a
 * family declared by TYPE before it; histograms are cumulative and consistent. Throws on anything
 * else, naming the line.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  readonly type: MetricType;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly MetricType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];
const FLOAT = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export class PrometheusParseError extends Error {
  constructor(lineNumber: number, line: string, problem: string) {
    super(`line ${lineNumber}: ${problem}: ${JSON.stringify(line)}`);
    this.name = 'PrometheusParseError';
  }
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  const families = new Map<string, MetricFamily>();
  const helps = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '')
    throw new PrometheusParseError(lines.length, lines.at(-1) ?? '', 'no final newline');
  lines.pop();

  lines.forEach((line, index) => {
    const lineNumber = index + 1;
    const fail = (problem: string): never => {
      throw new PrometheusParseError(lineNumber, line, problem);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name = '', rest = ''] = match;
      if (!METRIC_NAME.test(name)) fail('invalid metric name');
      if (keyword === 'HELP') {
        if (helps.has(name)) fail('second HELP');
        helps.set(name, rest);
      } else {
        const existing = families.get(name);
        if (!(TYPES as readonly string[]).includes(rest.trim())) fail('unknown metric type');
        if (existing) fail(existing.samples.length > 0 ? 'TYPE after samples' : 'second TYPE');
        families.set(name, { name, type: rest.trim() as MetricType, help: undefined, samples: [] });
      }
      return;
    }
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, families) ?? fail('sample without a TYPE declaration');
    if (family.type === 'counter' && (sample.value < 0 || Number.isNaN(sample.value))) {
      fail('negative or NaN counter');
    }
    family.samples.push(sample);
  });

  for (const family of families.values()) {
    family.help = helps.get(family.name);
    if (family.type === 'histogram') checkHistogram(family);
  }
  return families;
}

function parseSample(line: string, fail: (problem: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line) ?? fail('invalid metric name');
  const name = nameMatch[0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    let i = 1;
    while (rest[i] !== '}') {
      const labelMatch =
        /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(rest.slice(i)) ?? fail('malformed label');
      const labelName = labelMatch[1] ?? '';
      if (!LABEL_NAME.test(labelName)) fail('invalid label name');
      if (labelName in labels) fail(`duplicate label ${labelName}`);
      i += labelMatch[0].length;
      let value = '';
      for (;;) {
        const c = rest[i];
        if (c === undefined) fail('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          const escaped = rest[i + 1];
          if (escaped === '\\' || escaped === '"') value += escaped;
          else if (escaped === 'n') value += '\n';
          else fail('invalid escape in label value');
          i += 2;
        } else {
          value += c;
          i += 1;
        }
      }
      labels[labelName] = value;
      i += 1; // closing quote
      if (rest[i] === ',') i += 1;
      else if (rest[i] !== '}') fail('expected , or } after a label');
    }
    rest = rest.slice(i + 1);
  }
  const parts = rest.trim().split(/\s+/);
  if (!/^\s/.test(rest) || parts.length < 1 || parts.length > 2)
    fail('expected " value [timestamp]"');
  const [rawValue = '', timestamp] = parts;
  if (timestamp !== undefined && !/^-?\d+$/.test(timestamp)) fail('invalid timestamp');
  return { name, labels, value: parseValue(rawValue, fail) };
}

function parseValue(raw: string, fail: (problem: string) => never): number {
  if (raw === '+Inf' || raw === 'Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  if (raw === 'NaN') return Number.NaN;
  if (!FLOAT.test(raw)) fail('invalid sample value');
  return Number(raw);
}

function familyOf(
  sampleName: string,
  families: Map<string, MetricFamily>,
): MetricFamily | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  const suffix = /_(bucket|sum|count)$/.exec(sampleName);
  if (!suffix) return undefined;
  const base = families.get(sampleName.slice(0, suffix.index));
  if (base?.type === 'histogram') return base;
  if (base?.type === 'summary' && suffix[1] !== 'bucket') return base;
  return undefined;
}

function checkHistogram(family: MetricFamily): void {
  const series = new Map<string, { buckets: [number, number][]; sum?: number; count?: number }>();
  for (const sample of family.samples) {
    const { le, ...rest } = sample.labels;
    const key = JSON.stringify(Object.entries(rest).sort(([a], [b]) => a.localeCompare(b)));
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name === `${family.name}_bucket`) {
      if (le === undefined) throw new Error(`${family.name}: bucket without le`);
      entry.buckets.push([
        parseValue(le, () => {
          throw new Error(`${family.name}: bad le ${le}`);
        }),
        sample.value,
      ]);
    } else if (sample.name === `${family.name}_sum`) entry.sum = sample.value;
    else if (sample.name === `${family.name}_count`) entry.count = sample.value;
    else throw new Error(`${family.name}: unexpected sample ${sample.name} in a histogram`);
  }
  for (const [key, entry] of series) {
    const where = `${family.name}${key}`;
    const last = entry.buckets.at(-1);
    if (!last || last[0] !== Number.POSITIVE_INFINITY)
      throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < entry.buckets.length; i += 1) {
      const [previousLe, previousCount] = entry.buckets[i - 1] ?? [0, 0];
      const [le, count] = entry.buckets[i] ?? [0, 0];
      if (le <= previousLe || count < previousCount)
        throw new Error(`${where}: buckets not cumulative`);
    }
    if (entry.count !== last[1]) throw new Error(`${where}: _count differs from the +Inf bucket`);
    if (entry.sum === undefined) throw new Error(`${where}: no _sum`);
  }
}

/** The value of the one sample of `name` whose labels include `labels`. */
export function sampleValue(
  families: Map<string, MetricFamily>,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number {
  const matches = [...families.values()]
    .flatMap((family) => family.samples)
    .filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
    );
  if (matches.length !== 1 || !matches[0]) {
    throw new Error(
      `expected one sample ${name}${JSON.stringify(labels)}, found ${matches.length}`,
    );
  }
  return matches[0].value;
}
