/**
 * Cell attributes: the `key=value` words after the language in a code fence's info string
 * (`sql name=orders connection="warehouse db" echo=false`). Parsing keeps each token as written so
 * that an attribute edit can re-render the info string without touching the other tokens.
 */
import { parseDuration, tryParseDuration } from './duration.js';
import { NotebookParseError } from './errors.js';
import type { CellAttributes, CodeLanguage, FormatWarning } from './types.js';
import { CELL_LANGUAGES } from '../protocol/languages.js';
import { IDENTIFIER } from '../protocol/names.js';

/** One `key=value` token as written. */
export interface AttributeToken {
  key: string;
  /** the value with quotes removed and `\"`, `\\` unescaped */
  value: string;
  /** the token exactly as written */
  raw: string;
  /** 0-based offset of the token in the attribute text */
  offset: number;
}

/** Where the attribute text sits in the file, for messages. */
export interface AttributeContext {
  line: number;
  /** 1-based file column of the attribute text's first character */
  column: number;
  language: CodeLanguage;
  path?: string;
}

export const KNOWN_ATTRIBUTES = ['name', 'connection', 'echo', 'run', 'timeout'] as const;
const KEY = /[A-Za-z_][\w.-]*/y;
const BARE_VALUE = /[^\s"]*/y;

/** Splits attribute text into tokens; throws NotebookParseError on malformed syntax. */
export function tokenizeAttributes(text: string, ctx: AttributeContext): AttributeToken[] {
  const fail = (message: string, offset: number): never => {
    throw new NotebookParseError(message, ctx.line, ctx.column + offset, ctx.path);
  };
  const tokens: AttributeToken[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) return tokens;
    const start = i;
    KEY.lastIndex = i;
    const key = KEY.exec(text)?.[0];
    if (!key) return fail(`unexpected ${JSON.stringify(text[i])} in cell attributes: expected key=value`, i);
    i += key.length;
    if (text[i] !== '=') return fail(`attribute "${key}" needs a value: write ${key}=value`, start);
    i++;
    let value: string;
    if (text[i] === '"') {
      const quoted = readQuoted(text, i);
      if (!quoted) return fail(`unterminated quoted value of attribute "${key}"`, i);
      value = quoted.value;
      i = quoted.end;
    } else {
      BARE_VALUE.lastIndex = i;
      value = BARE_VALUE.exec(text)?.[0] ?? '';
      if (value === '') return fail(`attribute "${key}" has no value`, start);
      i += value.length;
    }
    if (i < text.length && !/\s/.test(text[i] ?? '')) {
      return fail(`expected a space after the value of attribute "${key}"`, i);
    }
    if (tokens.some((t) => t.key === key)) return fail(`duplicate attribute "${key}"`, start);
    tokens.push({ key, value, raw: text.slice(start, i), offset: start });
  }
}

function readQuoted(text: string, quote: number): { value: string; end: number } | undefined {
  let value = '';
  for (let i = quote + 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') return { value, end: i + 1 };
    if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      value += text[i + 1];
      i++;
    } else {
      value += c;
    }
  }
  return undefined;
}

/** Interprets tokens as CellAttributes, reporting unknown keys as warnings. */
export function interpretAttributes(
  tokens: AttributeToken[],
  ctx: AttributeContext,
  warnings: FormatWarning[],
): CellAttributes {
  const attributes: CellAttributes = { echo: true, run: true, extra: {} };
  for (const token of tokens) {
    const at = { line: ctx.line, column: ctx.column + token.offset };
    const valueAt = ctx.column + token.offset + token.key.length + 1;
    const fail = (message: string): never => {
      throw new NotebookParseError(message, ctx.line, valueAt, ctx.path);
    };
    switch (token.key) {
      case 'name':
        attributes.name = token.value;
        if (CELL_LANGUAGES[ctx.language].nameDeclares && !isIdentifier(token.value)) {
          warnings.push({ ...at, message: `SQL cell name "${token.value}" is not a valid variable name` });
        }
        break;
      case 'connection':
        attributes.connection = token.value;
        if (!CELL_LANGUAGES[ctx.language].connections) {
          warnings.push({
            ...at,
            message: 'attribute "connection" applies only to SQL cells; it is ignored here',
          });
        }
        break;
      case 'echo':
      case 'run':
        attributes[token.key] = parseBoolean(token.key, token.value, fail);
        break;
      case 'timeout':
        attributes.timeoutMs = tryParseDuration(token.value) ?? fail(durationMessage(token.value));
        break;
      default:
        attributes.extra[token.key] = token.value;
        warnings.push({
          ...at,
          message: `unknown cell attribute "${token.key}" (known: ${KNOWN_ATTRIBUTES.join(', ')})`,
        });
    }
  }
  return attributes;
}

function parseBoolean(key: string, value: string, fail: (message: string) => never): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fail(`attribute "${key}" must be true or false, got ${JSON.stringify(value)}`);
}

function durationMessage(value: string): string {
  try {
    parseDuration(value);
    return '';
  } catch (err) {
    return `attribute "timeout": ${(err as Error).message}`;
  }
}

export function isIdentifier(text: string): boolean {
  return IDENTIFIER.test(text);
}

/** Renders one attribute, quoting the value when a bare value would not read back the same. */
export function renderAttribute(key: string, value: string): string {
  if (value !== '' && /^[^\s"]+$/.test(value)) return `${key}=${value}`;
  return `${key}="${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
