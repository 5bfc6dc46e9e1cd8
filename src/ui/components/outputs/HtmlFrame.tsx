/**
 * An `html` output in a sandboxed iframe (src/protocol/html-frame.ts says why): its scripts, if
 * any got through, run in an opaque origin, never in the editor's. The frame reports its height
 * by postMessage; only a message whose source is this very frame's window is read, and only a
 * finite number out of it.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { frameDocument, type FrameHeightMessage } from '../../../protocol/html-frame.js';

/** Tallest a frame grows to before its content scrolls (a runaway output must not be a mile long). */
const MAX_HEIGHT = 4000;
/** Before the frame reports: one line. */
const FIRST_HEIGHT = 24;

export function HtmlFrame({ html }: { html: string }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [height, setHeight] = useState(FIRST_HEIGHT);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      // Another frame (another output, an extension) may post too: its messages are not ours.
      if (!frame.current || event.source !== frame.current.contentWindow) return;
      const reported = (event.data as Partial<FrameHeightMessage> | null)?.quireFrameHeight;
      if (typeof reported !== 'number' || !Number.isFinite(reported) || reported < 0) return;
      setHeight(Math.min(Math.ceil(reported), MAX_HEIGHT));
    };
    window.addEventListener('message', onMessage);
    return () => window.removeEventListener('message', onMessage);
  }, []);

  return (
    <iframe
      ref={frame}
      class="output-html"
      title="HTML output"
      sandbox="allow-scripts"
      srcdoc={frameDocument(html)}
      style={{ height: `${height}px`, width: '100%', border: 0, display: 'block' }}
      scrolling={height >= MAX_HEIGHT ? 'yes' : 'no'}
    />
  );
}
