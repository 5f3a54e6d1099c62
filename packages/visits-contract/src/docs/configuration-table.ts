import { environment } from '../environment.js';

/** A Markdown table laid out as Prettier lays it out, so `prettier --check` accepts it. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]) {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((row) => [...(row[i] ?? '')].length)),
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The environment variables, their defaults and what each accepts: the docs' configuration table. */
export function configurationTable(): string {
  return markdownTable(
    ['variable', 'default', 'accepted'],
    Object.values(environment).map((v) => [`\`${v.name}\``, v.docs.default, v.docs.accepted]),
  );
}
