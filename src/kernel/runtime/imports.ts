/**
 * `__quire_import(specifier)`: the cells' `import` statements, lowered to a call so they work in a
 * function body. Bare specifiers resolve from the workspace's node_modules (not the kernel's own),
 * relative ones from the kernel's cwd (the notebook's folder, by default the workspace); `node:` builtins are allowed (the permission model
 * still gates what they can do).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
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

export function quireImport(specifier: string): Promise<unknown> {
  return import(resolveSpecifier(specifier, config.workspace, config.cwd));
}
