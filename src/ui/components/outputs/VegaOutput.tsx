/**
 * A Vega-Lite chart, rendered by vega-embed. vega is ~1 MB, so it is loaded on the first chart
 * (a separate chunk), never with the editor. Expressions are interpreted, never compiled: the
 * editor's CSP has no 'unsafe-eval' (src/server/routes/static.ts).
 */
import { useEffect, useRef, useState } from 'preact/hooks';

export function VegaOutput({ spec }: { spec: unknown }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let finalize: (() => void) | undefined;
    let cancelled = false;
    void import('vega-embed')
      .then(async ({ default: embed }) => {
        if (cancelled || !host.current) return;
        const result = await embed(host.current, spec as Parameters<typeof embed>[1], {
          actions: false,
          renderer: 'svg',
          // Vega compiles its expressions with `new Function` unless it is given their AST and an
          // interpreter; vega-embed bundles vega-interpreter already (no extra bytes).
          ast: true,
        });
        if (cancelled) result.finalize();
        else finalize = () => result.finalize();
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
    return () => {
      cancelled = true;
      finalize?.();
    };
  }, [spec]);

  return (
    <div class="output-vega">
      <div ref={host} />
      {error ? <pre class="output-error-text">chart failed: {error}</pre> : null}
    </div>
  );
}
