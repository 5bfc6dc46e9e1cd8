/**
 * The editor's first module (index.html loads it before main.tsx): makes the bundle run under the
 * server's Content-Security-Policy, which has no 'unsafe-eval' (src/server/routes/static.ts).
 * zod compiles fast object parsers with `new Function` when it may, and finds out by trying once;
 * under the policy the try throws (caught) but Chromium still reports a violation for it. Jitless,
 * zod neither tries nor compiles. It must be set before any schema is built (src/protocol builds
 * them on import), hence a module of its own, ahead of the app. The server keeps the JIT.
 */
import { z } from 'zod';

z.config({ jitless: true });
