/**
 * The document an `html` output is shown in: a sandboxed `<iframe srcdoc>` of the editor
 * (src/ui/components/outputs/HtmlFrame.tsx), `sandbox="allow-scripts"` without
 * `allow-same-origin`, so whatever runs in it runs in an opaque origin: it cannot read the app's
 * cookies, storage or DOM, nor call its API with the session. The output is sanitized on the host
 * as before (src/outputs/sanitize.ts); the frame is the second wall, and the app's Content-Security-Policy,
 * which a srcdoc document inherits, the third (no inline script runs there but `FRAME_SIZER`).
 *
 * The frame's one script, `FRAME_SIZER`, tells the parent its content's height by postMessage, so
 * the frame fits its content. The server allows exactly this script by its hash in the policy's
 * script-src (src/server/routes/static.ts): both sides import this text, so they cannot differ.
 * Shared by the host and the browser: no Node and no DOM API here.
 */

/** The message the frame posts: its content height in CSS pixels. */
export interface FrameHeightMessage {
  quireFrameHeight: number;
}

/** Posts the document's height to the parent now, on load, and whenever it changes size. */
export const FRAME_SIZER =
  '(function(){var d=document.documentElement;var post=function(){parent.postMessage({quireFrameHeight:Math.ceil(d.getBoundingClientRect().height)},"*")};' +
  'if(typeof ResizeObserver==="function")new ResizeObserver(post).observe(d);addEventListener("load",post);post()})()';

/** A plain, readable base for the output; its own markup's inline styles come after it. */
const FRAME_STYLE =
  'html{color-scheme:light dark}body{margin:0;padding:2px 0;font:14px/1.45 system-ui,sans-serif;overflow:hidden}' +
  'table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #8884}img,svg{max-width:100%}';

/** The srcdoc of the frame for one sanitized `html` output. */
export function frameDocument(html: string): string {
  return (
    `<!doctype html><html><head><meta charset="utf-8"><style>${FRAME_STYLE}</style></head>` +
    `<body>${html}<script>${FRAME_SIZER}</script></body></html>`
  );
}
