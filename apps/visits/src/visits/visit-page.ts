const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone, built on first use: building one costs far more than formatting with it. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      fractionalSecondDigits: 3,
      timeZoneName: 'longOffset',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The current time in `timeZone` as ISO 8601 with that zone's offset, e.g. 2026-11-21T01:02:03.004+01:00. */
export function isoInZone(date: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    formatterFor(timeZone)
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  const offset =
    parts.timeZoneName === 'GMT' ? '+00:00' : String(parts.timeZoneName).replace('GMT', '');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}.${parts.fractionalSecond}${offset}`;
}

const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => escapes[c]!);

export function visitPage(v: {
  pod: string;
  count: number;
  localTime: string;
  timezone: string;
}): string {
  const pod = escapeHtml(v.pod);
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Visits on ${pod}</title></head>
<body style="font-family: system-ui, sans-serif; margin: 3rem;">
<h1>Visit number ${v.count}</h1>
<p>Pod <strong>${pod}</strong> has now been visited <strong>${v.count}</strong> ${v.count === 1 ? 'time' : 'times'}.</p>
<p>It is <time datetime="${escapeHtml(v.localTime)}">${escapeHtml(v.localTime)}</time> (${escapeHtml(v.timezone)}).</p>
</body>
</html>
`;
}
