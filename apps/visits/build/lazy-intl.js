// A rolldown plugin: NestJS's logger modules build an Intl.DateTimeFormat when they are imported,
// which loads ICU's locale and time-zone data (about 7 MiB of RSS, measured) in every process, even
// where Nest's console logger never prints a line (this service logs through pino). The plugin makes
// those formatters lazy: the same options, built on the first timestamp Nest formats.
//
// It rewrites only the files it names, and fails the build when one of them no longer has the line
// it rewrites (a new NestJS version): a silent no-op would just bring the memory back.

const TARGETS = [
  '@nestjs/common/services/console-logger.service.js',
  '@nestjs/common/services/logger.service.js',
];
const EAGER = 'const dateTimeFormatter = new Intl.DateTimeFormat(';
const LAZY = 'const dateTimeFormatter = lazyDateTimeFormat(';
const HELPER = `
function lazyDateTimeFormat(locales, options) {
  let formatter;
  return { format: (date) => (formatter ??= new Intl.DateTimeFormat(locales, options)).format(date) };
}
`;

/** @returns {import('rolldown').Plugin} */
export function lazyIntl() {
  const rewritten = new Set();
  return {
    name: 'lazy-intl',
    transform(code, id) {
      const target = TARGETS.find((t) => id.replaceAll('\\', '/').endsWith(`/node_modules/${t}`));
      if (target === undefined) return null;
      if (code.split(EAGER).length !== 2) {
        this.error(
          `lazy-intl: ${target} no longer has exactly one "${EAGER}"; update build/lazy-intl.js`,
        );
      }
      rewritten.add(target);
      return { code: code.replace(EAGER, LAZY) + HELPER, map: null };
    },
    buildEnd(error) {
      if (error) return;
      const missing = TARGETS.filter((t) => !rewritten.has(t));
      if (missing.length > 0) {
        this.error(
          `lazy-intl: not in the bundle any more: ${missing.join(', ')}; update build/lazy-intl.js`,
        );
      }
    },
  };
}
