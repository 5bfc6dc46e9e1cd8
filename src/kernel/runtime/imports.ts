/**
 * How a cell's imports resolve: every form — a static `import` (lowered to `__quire_import`), a
 * dynamic `import()` anywhere in cell code (evaluate.ts hooks it), `import.meta.resolve`, and
 * `createRequire(import.meta.url)` — resolves against the notebook: relative specifiers from the
 * kernel's cwd (the notebook's folder), bare ones from the workspace's node_modules (not quire's
 * own), `node:` builtins as they are (the permission model still gates what they can do).
 *
 * Quire's own code is out of reach: the runtime is one bundled file whose internals export
 * nothing, the kernel may read no other file of quire's (launch.ts), and importing the bundle
 * itself is refused here (a second copy would refuse to start anyway, main.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { config } from './config.js';

type ExportsTarget = string | null | ExportsTarget[] | { [condition: string]: ExportsTarget };

/** Resolves a conditional `exports` target the way `import` would (import > node > default). */
function pickTarget(target: ExportsTarget | undefined): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) return target.map(pickTarget).find((t) => t !== undefined);
  if (!target) return undefined;
  for (const condition of ['import', 'node', 'default']) {
    const picked = pickTarget(target[condition]);
    if (picked) return picked;
  }
  return undefined;
}

function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(count).join('/');
  return { name: parts.slice(0, count).join('/'), subpath: rest ? `./${rest}` : '.' };
}

function entryOf(dir: string, subpath: string): string | undefined {
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: ExportsTarget;
    module?: string;
    main?: string;
  };
  const exportsField = manifest.exports;
  if (exportsField !== undefined) {
    const isMap = typeof exportsField === 'object' && exportsField !== null && !Array.isArray(exportsField);
    const hasSubpaths = isMap && Object.keys(exportsField).some((key) => key.startsWith('.'));
    const target = hasSubpaths ? exportsField[subpath] : subpath === '.' ? exportsField : undefined;
    const picked = pickTarget(target);
    return picked ? join(dir, picked) : undefined;
  }
  if (subpath !== '.') return join(dir, subpath);
  return join(dir, manifest.module ?? manifest.main ?? 'index.js');
}

/** The ESM entry of a package that `require.resolve` refuses (exports without a require condition). */
function resolveEsmOnly(specifier: string, from: string): string | undefined {
  const { name, subpath } = splitSpecifier(specifier);
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return entryOf(candidate, subpath);
    if (dirname(dir) === dir) return undefined;
  }
}

function resolveBare(specifier: string, workspace: string): string {
  try {
    return createRequire(join(workspace, 'package.json')).resolve(specifier);
  } catch (error) {
    const esm = resolveEsmOnly(specifier, workspace);
    if (esm) return esm;
    throw new Error(
      `cannot import "${specifier}": it is not installed in the workspace (${workspace}/node_modules)`,
      {
        cause: error,
      },
    );
  }
}

/** The URL `import()` should load for a cell's specifier. */
export function resolveSpecifier(specifier: string, workspace: string, cwd: string = workspace): string {
  if (specifier.startsWith('node:') || isBuiltin(specifier)) return specifier;
  if (specifier.startsWith('.')) return pathToFileURL(resolve(cwd, specifier)).href;
  if (isAbsolute(specifier)) return pathToFileURL(specifier).href;
  if (/^[a-z][a-z0-9+.-]*:/i.test(specifier)) return specifier;
  return pathToFileURL(resolveBare(specifier, workspace)).href;
}

/** Refuses URLs inside quire's own package (its node_modules are third-party code and stay allowed). */
function assertNotQuire(url: string, specifier: string): void {
  if (!url.startsWith('file:')) return;
  const path = fileURLToPath(url.replace(/[?#].*$/, ''));
  const own = join(config.packageRoot, 'dist') + sep;
  if (path.startsWith(own) || path === join(config.packageRoot, 'dist'))
    throw new Error(`cannot import "${specifier}": quire's own modules are not available to cells`);
}

type ImportOptions = { with?: Record<string, string> } | undefined;

function importResolved(specifier: string, options?: ImportOptions): Promise<unknown> {
  const url = resolveSpecifier(String(specifier), config.workspace, config.cwd);
  assertNotQuire(url, String(specifier));
  return options?.with ? import(url, options) : import(url);
}

/** `__quire_import(specifier, options?)`: a cell's static import, lowered. */
export function quireImport(specifier: string, options?: ImportOptions): Promise<unknown> {
  return importResolved(specifier, options);
}

/** The `importModuleDynamically` hook of cell code: `import()` anywhere in a cell. */
export function importForCell(
  specifier: string,
  _referrer: unknown,
  attributes: Record<string, string> = {},
): Promise<unknown> {
  return importResolved(specifier, Object.keys(attributes).length > 0 ? { with: attributes } : undefined);
}

/**
 * `__quire_meta`, what `import.meta` is lowered to in a cell: the notebook's folder as its URL
 * (so `new URL('./data.csv', import.meta.url)` and `createRequire(import.meta.url)` resolve
 * against the notebook) and `resolve` with the cell's own rules.
 */
export function quireMeta(): {
  url: string;
  dirname: string;
  filename: string;
  resolve: (specifier: string) => string;
} {
  const filename = config.notebook ?? join(config.cwd, 'notebook.nb.md');
  return {
    url: pathToFileURL(filename).href,
    dirname: dirname(filename),
    filename,
    resolve: (specifier: string) => {
      const url = resolveSpecifier(String(specifier), config.workspace, config.cwd);
      assertNotQuire(url, String(specifier));
      return url;
    },
  };
}
