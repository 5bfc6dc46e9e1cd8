/**
 * Normalizes the front matter `params` mapping into ParamSpec[]: the long form
 * `name: {type, default, enum?, min?, max?, description?}` and the shorthand `name: default`, whose
 * type is inferred (number -> number, boolean -> boolean, `YYYY-MM-DD` -> date, else string).
 * Every invalid spec is an error at the position of the offending YAML node.
 */
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { isIdentifier } from './attributes.js';
import { ParamError } from './errors.js';
import { validateParamValue } from './params.js';
import type { ParamSpec, ParamType, ParamValue } from './types.js';
import type { YamlContext } from './yaml-context.js';

const TYPES: readonly ParamType[] = ['string', 'number', 'integer', 'boolean', 'date', 'datetime'];
const LONG_KEYS = ['type', 'default', 'enum', 'min', 'max', 'description'];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function normalizeParams(node: unknown, ctx: YamlContext): ParamSpec[] {
  if (node === null || node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isMap(node)) throw ctx.error('"params" must be a mapping of param names to specs', node);
  return (node as YAMLMap<unknown, unknown>).items.map((pair) => normalizeParam(pair, ctx));
}

function normalizeParam(pair: Pair<unknown, unknown>, ctx: YamlContext): ParamSpec {
  const name = isScalar(pair.key) ? String(pair.key.value) : '';
  if (!isIdentifier(name)) {
    throw ctx.error(`param name ${JSON.stringify(name)} is not a valid variable name`, pair.key);
  }
  const value = pair.value as Node | null;
  if (isMap(value)) return longForm(name, value as YAMLMap<unknown, unknown>, ctx);
  const shorthand = isScalar(value) ? value.value : undefined;
  if (typeof shorthand === 'string' || typeof shorthand === 'number' || typeof shorthand === 'boolean') {
    const spec: ParamSpec = { name, type: inferType(shorthand) };
    spec.default = checkValue(spec, shorthand, value, ctx);
    return spec;
  }
  const missing = value === null || (isScalar(value) && value.value === null);
  throw ctx.error(
    `param "${name}": expected a default value or {type, default, …}`,
    missing ? pair.key : value,
  );
}

function inferType(value: ParamValue): ParamType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  return DATE.test(value) ? 'date' : 'string';
}

function longForm(name: string, map: YAMLMap<unknown, unknown>, ctx: YamlContext): ParamSpec {
  const fields = new Map<string, Node | null>();
  for (const item of map.items) {
    const key = isScalar(item.key) ? String(item.key.value) : '';
    if (!LONG_KEYS.includes(key)) ctx.warn(`param "${name}": unknown key ${JSON.stringify(key)}`, item.key);
    fields.set(key, item.value as Node | null);
  }
  const spec: ParamSpec = { name, type: specType(name, fields, map, ctx) };
  const description = scalarOf(fields.get('description'));
  if (description !== undefined) spec.description = String(description);
  setBounds(spec, fields, ctx);
  setEnum(spec, fields.get('enum'), ctx);
  const defaultNode = fields.get('default');
  if (defaultNode !== undefined) spec.default = checkValue(spec, scalarOf(defaultNode), defaultNode, ctx);
  return spec;
}

function specType(name: string, fields: Map<string, Node | null>, map: Node, ctx: YamlContext): ParamType {
  const typeNode = fields.get('type');
  if (typeNode === undefined) {
    const sample = scalarOf(fields.get('default')) ?? firstEnumValue(fields.get('enum'));
    if (typeof sample === 'string' || typeof sample === 'number' || typeof sample === 'boolean') {
      return inferType(sample);
    }
    throw ctx.error(`param "${name}": needs a type or a default`, map);
  }
  const type = scalarOf(typeNode);
  if (typeof type === 'string' && (TYPES as readonly string[]).includes(type)) return type as ParamType;
  throw ctx.error(
    `param "${name}": unknown type ${JSON.stringify(type ?? null)} (expected one of ${TYPES.join(', ')})`,
    typeNode,
  );
}

function setBounds(spec: ParamSpec, fields: Map<string, Node | null>, ctx: YamlContext): void {
  for (const key of ['min', 'max'] as const) {
    const node = fields.get(key);
    if (node === undefined) continue;
    const value = scalarOf(node);
    if (spec.type !== 'number' && spec.type !== 'integer') {
      throw ctx.error(`param "${spec.name}": ${key} applies only to number and integer params`, node);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw ctx.error(`param "${spec.name}": ${key} must be a number`, node);
    }
    spec[key] = value;
  }
  if (spec.min !== undefined && spec.max !== undefined && spec.min > spec.max) {
    throw ctx.error(`param "${spec.name}": min is greater than max`, fields.get('min'));
  }
}

function setEnum(spec: ParamSpec, node: Node | null | undefined, ctx: YamlContext): void {
  if (node === undefined) return;
  if (!isSeq(node) || node.items.length === 0) {
    throw ctx.error(`param "${spec.name}": enum must be a non-empty list`, node);
  }
  const bare: ParamSpec = { name: spec.name, type: spec.type };
  spec.enum = node.items.map((item) => checkValue(bare, scalarOf(item as Node), item, ctx, 'enum value'));
}

/** Validates a default or enum value against the spec; the error points at the value. */
function checkValue(
  spec: ParamSpec,
  value: unknown,
  node: unknown,
  ctx: YamlContext,
  what = 'default',
): ParamValue {
  try {
    return validateParamValue(spec, value);
  } catch (err) {
    if (err instanceof ParamError) throw ctx.error(`${what} of ${err.message}`, node);
    throw err;
  }
}

function scalarOf(node: Node | null | undefined): unknown {
  if (node === undefined) return undefined;
  if (node === null) return null;
  if (isScalar(node)) return node.value;
  try {
    return node.toJSON();
  } catch {
    return undefined; // an alias outside its document: reported as "got nothing"
  }
}

function firstEnumValue(node: Node | null | undefined): unknown {
  return isSeq(node) ? scalarOf(node.items[0] as Node) : undefined;
}
