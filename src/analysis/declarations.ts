/**
 * The top-level names a JS cell defines (its outputs, DESIGN §3): `const`/`let`/`var` (every
 * destructuring form), `function`, `class` and import bindings. `export` before a declaration is
 * looked through. Nested declarations are local to the cell and are not outputs.
 */
import type { ModuleDeclaration, Program, Statement } from 'acorn';
import { patternNames } from './patterns.js';

export function findDeclarations(program: Program): string[] {
  const names: string[] = [];
  for (const statement of program.body) declare(statement, names);
  return [...new Set(names)];
}

function declare(node: Statement | ModuleDeclaration, names: string[]): void {
  switch (node.type) {
    case 'VariableDeclaration':
      for (const declarator of node.declarations) patternNames(declarator.id, names);
      break;
    case 'FunctionDeclaration':
    case 'ClassDeclaration':
      if (node.id) names.push(node.id.name);
      break;
    case 'ImportDeclaration':
      for (const specifier of node.specifiers) names.push(specifier.local.name);
      break;
    case 'ExportNamedDeclaration':
      if (node.declaration) declare(node.declaration, names);
      break;
  }
}
