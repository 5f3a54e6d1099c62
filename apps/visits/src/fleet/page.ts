import { FLEET_CHART_CSS } from './fleet-chart.js';
import { escapeHtml } from './html.js';

/** Colours (light and dark) and type for the service's pages; no fonts or files fetched. */
const PAGE_CSS = `
:root{color-scheme:light dark;--fg:#1f2328;--muted:#59636e;--bg:#ffffff;--card:#eef1f4;--bar:#8c99a6;--accent:#0b63ce;--on-accent:#ffffff;--bad:#c1271d}
@media (prefers-color-scheme:dark){:root{--fg:#e6e8eb;--muted:#9ba5b0;--bg:#15181c;--card:#262b31;--bar:#6b7784;--accent:#6ea8fe;--on-accent:#0b1320;--bad:#ff8a80}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
main{max-width:46rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1,h2{line-height:1.2;margin:0 0 .5rem}
h2{font-size:1.25rem;margin-top:2rem}
p{margin:.5rem 0}
.muted,.explain{color:var(--muted)}
code{font:inherit;font-weight:600;overflow-wrap:anywhere}
${FLEET_CHART_CSS}`;

/** A whole page: `title` (text) in the tab, `body` (HTML) in <main>, `css` after the shared styles. */
export function page(title: string, body: string, css = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${PAGE_CSS}${css}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
