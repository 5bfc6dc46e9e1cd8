/**
 * Static imports cannot appear in a function body, so a cell's imports become awaits on the
 * kernel's `__quire_import(specifier, options?)` (a dynamic import that resolves from the
 * notebook's workspace). The bindings become `const`s: like imports, they cannot be reassigned.
 */
import type { ImportDeclaration, ImportSpecifier, Literal } from 'acorn';

export const IMPORT_FUNCTION = '__quire_import';

/** The statement replacing `node`, on one line. */
export function lowerImport(node: ImportDeclaration): string {
  const call = `await ${IMPORT_FUNCTION}(${importArguments(node)})`;
  const namespace = node.specifiers.find((s) => s.type === 'ImportNamespaceSpecifier');
  const bindings = node.specifiers
    .filter((s) => s.type !== 'ImportNamespaceSpecifier')
    .map((s) => (s.type === 'ImportDefaultSpecifier' ? `default: ${s.local.name}` : named(s)));
  const pattern = `{${bindings.join(', ')}}`;
  if (namespace && bindings.length > 0)
    return `const ${namespace.local.name} = ${call}, ${pattern} = ${namespace.local.name};`;
  if (namespace) return `const ${namespace.local.name} = ${call};`;
  if (bindings.length > 0) return `const ${pattern} = ${call};`;
  return `${call};`;
}

function named(specifier: ImportSpecifier): string {
  const imported = specifier.imported;
  const key = imported.type === 'Identifier' ? imported.name : JSON.stringify(imported.value);
  return `${key}: ${specifier.local.name}`;
}

function importArguments(node: ImportDeclaration): string {
  const specifier = JSON.stringify(node.source.value);
  const attributes = node.attributes ?? [];
  if (attributes.length === 0) return specifier;
  // `import data from './x.json' with {type: 'json'}` keeps its attributes, as dynamic import takes them.
  const entries = attributes.map((a) => `${JSON.stringify(keyOf(a.key))}: ${JSON.stringify(a.value.value)}`);
  return `${specifier}, {with: {${entries.join(', ')}}}`;
}

function keyOf(key: Literal | { type: 'Identifier'; name: string }): unknown {
  return key.type === 'Identifier' ? key.name : key.value;
}
