import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderYaml } from './render.js';
import { manifestList, visitsManifests } from './visits.js';

describe('renderYaml', () => {
  it('renders one YAML document per object that parses back to the same object', () => {
    const objects = manifestList(visitsManifests({ serviceMonitor: true }));
    const yaml = renderYaml(objects);
    const docs = parseAllDocuments(yaml);
    expect(docs.map((d) => d.errors)).toEqual(objects.map(() => []));
    expect(docs.map((d) => d.toJS() as unknown)).toEqual(objects.map((o) => o.toJSON()));
  });

  it('keeps apiVersion and kind first and never folds long values', () => {
    const yaml = renderYaml(
      manifestList(visitsManifests({ image: `r.example/${'x'.repeat(120)}:1` })),
    );
    for (const doc of yaml.split('---\n')) expect(doc).toMatch(/^apiVersion: .+\nkind: .+\n/);
    expect(yaml).toContain(`image: r.example/${'x'.repeat(120)}:1\n`);
    expect(yaml).toMatch(/checksum\/config: [0-9a-f]{64}\n/);
  });

  it('quotes strings YAML would otherwise read as numbers or booleans', () => {
    const yaml = renderYaml(manifestList(visitsManifests()));
    expect(yaml).toContain('RECENT_VISITS: "100"');
    expect(yaml).toContain('prometheus.io/scrape: "true"');
  });
});
