/**
 * The free identifiers of a JS node: names it reads that no enclosing scope inside the node binds
 * (DESIGN §3: a cell's inputs). Globals are kept (the graph keeps only names some cell declares);
 * `arguments` is dropped (a cell runs as a function body, so it would be that function's own).
 *
 * Two walks, after Observable Framework's findReferences: the first records which names each
 * scope node binds, the second reports identifiers no ancestor scope binds. acorn-walk already
 * skips labels, non-computed property keys, `.prop` of member expressions and import specifiers.
 */
import type { AnyNode, Function as FunctionNode, Identifier, Node, Pattern } from 'acorn';
import { ancestor, type AncestorVisitors } from 'acorn-walk';
import { patternNames } from './patterns.js';

type Scopes = Map<Node, Set<string>>;

export function findReferences(node: Node): string[] {
  const scopes = collectScopes(node);
  const references = new Set<string>();
  const visit = (identifier: Identifier, _state: unknown, ancestors: AnyNode[]): void => {
    if (!isBound(scopes, identifier.name, ancestors)) references.add(identifier.name);
  };
  // An identifier being assigned (`x = 1`, `[x] = a`, `for (x of a)`) or bound is walked as a
  // VariablePattern, a walker-only type the typings do not list.
  const visitors = { Identifier: visit, VariablePattern: visit } as AncestorVisitors<unknown>;
  ancestor(node, visitors);
  references.delete('arguments');
  return [...references];
}

/** Where a free identifier is written; `shorthand` for `{ name }` (the key is the same text). */
export interface FreeIdentifier {
  start: number;
  end: number;
  shorthand: boolean;
}

/** Every free occurrence of `name` in `node` (what a rename of that name must rewrite). */
export function findFreeIdentifiers(node: Node, name: string): FreeIdentifier[] {
  const scopes = collectScopes(node);
  const found: FreeIdentifier[] = [];
  const visit = (identifier: Identifier, _state: unknown, ancestors: AnyNode[]): void => {
    if (identifier.name !== name || isBound(scopes, name, ancestors)) return;
    const parent = ancestors[ancestors.length - 2];
    const shorthand = parent?.type === 'Property' && parent.shorthand && parent.value === identifier;
    found.push({ start: identifier.start, end: identifier.end, shorthand });
  };
  ancestor(node, { Identifier: visit, VariablePattern: visit } as AncestorVisitors<unknown>);
  return found.sort((a, b) => a.start - b.start);
}

function isBound(scopes: Scopes, name: string, ancestors: AnyNode[]): boolean {
  // The last ancestor is the identifier itself.
  for (let i = ancestors.length - 2; i >= 0; i--) {
    if (scopes.get(ancestors[i] as Node)?.has(name)) return true;
  }
  return false;
}

function collectScopes(node: Node): Scopes {
  const scopes: Scopes = new Map();
  const bind = (scope: Node | undefined, names: string[]): void => {
    if (!scope) return;
    const set = scopes.get(scope) ?? new Set<string>();
    for (const name of names) set.add(name);
    scopes.set(scope, set);
  };
  const bindFunction = (fn: FunctionNode): void => {
    const names = fn.params.flatMap((param) => patternNames(param));
    // A function expression's own name is visible only inside it.
    if (fn.id && fn.type !== 'FunctionDeclaration') names.push(fn.id.name);
    bind(fn, names);
  };
  ancestor(node, {
    VariableDeclaration(declaration, _state, ancestors) {
      const scope = nearest(ancestors, declaration.kind === 'var' ? isFunctionScope : isBlockScope);
      bind(
        scope,
        declaration.declarations.flatMap((d) => patternNames(d.id)),
      );
    },
    FunctionDeclaration(fn, _state, ancestors) {
      // Module code is strict: a function declared in a block is local to that block.
      if (fn.id) bind(nearest(ancestors, isBlockScope), [fn.id.name]);
      bindFunction(fn);
    },
    FunctionExpression: bindFunction,
    ArrowFunctionExpression: bindFunction,
    ClassDeclaration(cls, _state, ancestors) {
      if (cls.id) bind(nearest(ancestors, isBlockScope), [cls.id.name]);
    },
    ClassExpression(cls) {
      if (cls.id) bind(cls, [cls.id.name]);
    },
    CatchClause(clause) {
      if (clause.param) bind(clause, patternNames(clause.param as Pattern));
    },
    ImportDeclaration(declaration, _state, ancestors) {
      bind(
        ancestors[0],
        declaration.specifiers.map((s) => s.local.name),
      );
    },
  });
  return scopes;
}

/** The innermost strict ancestor (the node itself excluded) that satisfies `test`. */
function nearest(ancestors: AnyNode[], test: (node: AnyNode) => boolean): AnyNode | undefined {
  for (let i = ancestors.length - 2; i >= 0; i--) {
    const node = ancestors[i] as AnyNode;
    if (test(node)) return node;
  }
  // A declaration at the root of a walked expression (never the case for a Program) binds there.
  return ancestors[0];
}

function isFunctionScope(node: AnyNode): boolean {
  return (
    node.type === 'Program' ||
    node.type === 'FunctionDeclaration' ||
    node.type === 'FunctionExpression' ||
    node.type === 'ArrowFunctionExpression' ||
    node.type === 'StaticBlock'
  );
}

function isBlockScope(node: AnyNode): boolean {
  return (
    isFunctionScope(node) ||
    node.type === 'BlockStatement' ||
    node.type === 'SwitchStatement' ||
    node.type === 'ForStatement' ||
    node.type === 'ForInStatement' ||
    node.type === 'ForOfStatement'
  );
}
