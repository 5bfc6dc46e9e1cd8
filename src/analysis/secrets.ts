/**
 * The secrets a JS/TS cell reads: every `secrets.get('NAME')` with a string literal (or a template
 * without `${…}`) names a secret the run fetches before the cell starts, so that `secrets.get` is
 * synchronous in the cell. Any other argument cannot be known in advance and is reported as
 * dynamic, with its position in `code`.
 */
import type { CallExpression, Node } from 'acorn';
import { simple } from 'acorn-walk';
import { positionAt } from './errors.js';

export interface SecretNames {
  /** the literal names, deduplicated, in order of first appearance */
  names: string[];
  /** `secrets.get(expr)` calls whose name is not a literal; 1-based positions in `code` */
  dynamic: { line: number; column: number }[];
}

export const DYNAMIC_SECRET_MESSAGE =
  'secrets.get needs a string literal name, so the run can fetch it before the cell starts';

function isSecretsGet(node: CallExpression): boolean {
  const callee = node.callee;
  if (callee.type !== 'MemberExpression' || callee.object.type !== 'Identifier') return false;
  if (callee.object.name !== 'secrets') return false;
  const property = callee.property;
  if (!callee.computed) return property.type === 'Identifier' && property.name === 'get';
  return property.type === 'Literal' && property.value === 'get';
}

function literalName(node: CallExpression): string | undefined {
  const [arg] = node.arguments;
  if (node.arguments.length !== 1 || !arg) return undefined;
  if (arg.type === 'Literal' && typeof arg.value === 'string') return arg.value;
  if (arg.type === 'TemplateLiteral' && arg.expressions.length === 0) {
    return arg.quasis[0]?.value.cooked ?? undefined;
  }
  return undefined;
}

/** The secret names of a parsed cell; `code` is the text `program` was parsed from. */
export function findSecretNames(program: Node, code: string): SecretNames {
  const names = new Set<string>();
  const dynamic: SecretNames['dynamic'] = [];
  simple(program, {
    CallExpression(node: CallExpression) {
      if (!isSecretsGet(node)) return;
      const name = literalName(node);
      if (name !== undefined) names.add(name);
      else dynamic.push(positionAt(code, node.arguments[0]?.start ?? node.start));
    },
  });
  return { names: [...names], dynamic };
}
