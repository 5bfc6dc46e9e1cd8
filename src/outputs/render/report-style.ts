/**
 * The report's stylesheet, inlined into every report so it needs no network. Colours are custom
 * properties so dark mode (prefers-color-scheme) swaps one block; print drops backgrounds and
 * keeps cells whole across pages.
 */
export const REPORT_CSS = `
:root {
  --bg: #ffffff; --fg: #1f2328; --muted: #656d76; --border: #d0d7de; --panel: #f6f8fa;
  --accent: #0969da; --ok: #1a7f37; --error: #cf222e; --warn: #9a6700; --error-bg: #ffebe9;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #8d96a0; --border: #30363d; --panel: #161b22;
    --accent: #4493f8; --ok: #3fb950; --error: #f85149; --warn: #d29922; --error-bg: #2d1214;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.q-report { max-width: 960px; margin: 0 auto; padding: 24px 20px 64px; }
a { color: var(--accent); }
code, pre { font-family: var(--mono); font-size: 13px; }
pre { margin: 0; padding: 10px 12px; overflow-x: auto; white-space: pre-wrap; word-break: break-word;
  background: var(--panel); border: 1px solid var(--border); border-radius: 6px; }
.q-header { border-bottom: 1px solid var(--border); padding-bottom: 16px; margin-bottom: 24px; }
.q-header h1 { margin: 0 0 4px; font-size: 28px; }
.q-path { margin: 0 0 12px; color: var(--muted); }
.q-meta { display: flex; flex-wrap: wrap; gap: 8px 28px; margin: 0 0 12px; }
.q-meta dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.q-meta dd { margin: 0; }
.q-muted { color: var(--muted); }
.q-badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
  border: 1px solid currentColor; }
.q-badge-ok { color: var(--ok); }
.q-badge-error, .q-badge-timeout { color: var(--error); }
.q-badge-skipped { color: var(--warn); }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid var(--border); padding: 4px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--panel); }
.q-params th[scope="row"] { font-family: var(--mono); font-weight: 600; }
.q-runtime { margin-top: 8px; color: var(--muted); }
.q-cell { margin: 0 0 24px; break-inside: avoid; }
.q-code-cell { border-left: 3px solid var(--border); padding-left: 12px; }
.q-cell-error { border-left-color: var(--error); }
.q-cell-skipped { border-left-color: var(--warn); }
.q-cell-head { display: flex; align-items: center; gap: 8px; margin-bottom: 6px; color: var(--muted); font-size: 12px; }
.q-lang { text-transform: uppercase; font-weight: 700; letter-spacing: .05em; }
.q-outputs { margin-top: 8px; display: grid; gap: 8px; }
.q-code { background: var(--panel); }
.q-stderr { border-color: var(--error); color: var(--error); }
.q-table-wrap { overflow-x: auto; }
.q-table caption { caption-side: bottom; text-align: left; color: var(--muted); font-size: 12px; padding-top: 4px; }
.q-col-name { display: block; }
.q-col-type { display: block; font-weight: 400; color: var(--muted); font-size: 11px; font-family: var(--mono); }
.q-num { text-align: right; font-variant-numeric: tabular-nums; }
.q-null { color: var(--muted); font-style: italic; }
.q-chart, .q-svg { margin: 0; overflow-x: auto; }
.q-chart svg { background: #ffffff; border-radius: 4px; max-width: 100%; height: auto; }
.q-error { border: 1px solid var(--error); background: var(--error-bg); border-radius: 6px; padding: 8px 12px; }
.q-error-head { margin: 0; }
.q-error-head strong { color: var(--error); }
.q-error-message { margin: 6px 0 0; white-space: pre-wrap; font-size: 13px; }
.q-stack summary { cursor: pointer; color: var(--muted); font-size: 12px; }
.q-stack pre { margin-top: 6px; }
.q-skipped { margin: 0; color: var(--warn); font-style: italic; }
.q-note { color: var(--muted); font-style: italic; margin: 0; }
.q-html img, .q-markdown img, .q-prose img { max-width: 100%; }
@media print {
  :root { --bg: #ffffff; --fg: #000000; --panel: #ffffff; }
  .q-report { max-width: none; padding: 0; }
  pre { white-space: pre-wrap; }
  details > :not(summary) { display: block; }
}
`;
