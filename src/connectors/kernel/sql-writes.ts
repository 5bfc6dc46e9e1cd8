/**
 * The statements through which DuckDB writes files (`COPY … TO`, `EXPORT DATABASE`, `ATTACH`)
 * taken apart into their target and options, and rebuilt around a target path that the guard has
 * checked (pure: tokens in, SQL text out). DuckDB cannot tell us a statement's target before
 * running it (EXPLAIN does not show it, and binding EXPORT already creates its folder), and a
 * target may be an expression, a parameter, a continued string or an option
 * (`FILENAME_PATTERN '../x'`). So the guard never runs the user's text of such a statement: it runs
 * the text built here, where the target is our own literal and every option value is re-quoted by
 * us. A form this module does not understand is refused with a reason, never passed through.
 */
import { quoteIdent, quoteLiteral } from './sql-quote.js';
import { closingParen, identName, isPunct, isWord, type Token } from './sql-tokens.js';

/** A statement this module refuses to take apart; `at` is the offset of the token it stopped at. */
export class UnsupportedStatement extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
  }
}

/** Where a statement reads or writes, as written. */
export type Target =
  { kind: 'literal'; value: string } | { kind: 'param'; name: string } | { kind: 'expression'; text: string };

export type OptionValue =
  | { kind: 'literal'; value: string }
  | { kind: 'param'; name: string }
  | { kind: 'verbatim'; text: string }
  | { kind: 'list'; items: string[] };

export interface StatementOption {
  /** lower-cased option name */
  name: string;
  /** the name as emitted */
  text: string;
  value?: OptionValue;
}

export interface CopyStatement {
  kind: 'copy';
  direction: 'to' | 'from';
  /** `(query)` text without the parentheses, or a table with optional columns, re-quoted */
  source: { query: string } | { table: string };
  target: Target;
  targetAt: number;
  options: StatementOption[];
}

export interface ExportStatement {
  kind: 'export';
  database?: string;
  target: Target;
  targetAt: number;
  options: StatementOption[];
}

export interface AttachStatement {
  kind: 'attach';
  orReplace: boolean;
  ifNotExists: boolean;
  target: Target;
  targetAt: number;
  alias?: string;
  options: StatementOption[];
}

export type WriteStatement = CopyStatement | ExportStatement | AttachStatement;

/** A cursor over a statement's tokens. */
class Reader {
  i = 0;
  constructor(
    readonly tokens: Token[],
    readonly sql: string,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  take(): Token | undefined {
    return this.tokens[this.i++];
  }
  acceptWord(word: string): boolean {
    if (!isWord(this.peek(), word)) return false;
    this.i += 1;
    return true;
  }
  at(): number {
    return this.peek()?.start ?? this.sql.length;
  }
  fail(message: string): never {
    throw new UnsupportedStatement(message, this.at());
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
}

/** COPY, EXPORT DATABASE or ATTACH taken apart; undefined for any other statement (incl. COPY FROM DATABASE). */
export function parseWriteStatement(tokens: Token[], sql: string): WriteStatement | undefined {
  const first = tokens[0];
  if (isWord(first, 'copy') && !(isWord(tokens[1], 'from') && isWord(tokens[2], 'database')))
    return parseCopy(new Reader(tokens, sql));
  if (isWord(first, 'export')) return parseExport(new Reader(tokens, sql));
  if (isWord(first, 'attach')) return parseAttach(new Reader(tokens, sql));
  return undefined;
}

function parseCopy(r: Reader): CopyStatement {
  r.take(); // COPY
  const source = parseSource(r);
  const dir = r.take();
  if (!isWord(dir, 'to') && !isWord(dir, 'from')) r.fail('expected TO or FROM after the COPY source');
  const targetAt = r.at();
  const target = parseTarget(r, 'COPY');
  const options = parseOptions(r, 'COPY');
  return { kind: 'copy', direction: isWord(dir, 'to') ? 'to' : 'from', source, target, targetAt, options };
}

function parseSource(r: Reader): CopyStatement['source'] {
  if (isPunct(r.peek(), '(')) {
    const close = closingParen(r.tokens, r.i);
    if (close < 0) r.fail('unbalanced parentheses');
    const open = r.tokens[r.i] as Token;
    const query = r.sql.slice(open.end, (r.tokens[close] as Token).start);
    r.i = close + 1;
    return { query };
  }
  let table = qualifiedName(r);
  if (isPunct(r.peek(), '(')) {
    r.take();
    const columns: string[] = [];
    for (;;) {
      columns.push(identifier(r));
      if (isPunct(r.peek(), ')')) break;
      if (!isPunct(r.take(), ',')) r.fail('expected , or ) in the column list');
    }
    r.take();
    table += ` (${columns.join(', ')})`;
  }
  return { table };
}

/** `a`, `a.b`, `"a"."b".c`, re-quoted. */
function qualifiedName(r: Reader): string {
  const parts = [identifier(r)];
  while (isPunct(r.peek(), '.')) {
    r.take();
    parts.push(identifier(r));
  }
  return parts.join('.');
}

function identifier(r: Reader): string {
  const token = r.peek();
  if (token?.kind === 'word') {
    r.take();
    return quoteIdent(token.text);
  }
  if (token?.kind === 'ident' && token.value !== undefined && !token.text.startsWith('U&')) {
    r.take();
    return quoteIdent(token.value);
  }
  return r.fail('expected a table or column name');
}

function parseTarget(r: Reader, statement: string): Target {
  const token = r.peek();
  if (
    token?.kind === 'string' &&
    (token.prefix === '' || token.prefix === '$') &&
    token.value !== undefined
  ) {
    r.take();
    if (r.peek()?.kind === 'string') r.fail('a file name continued over several strings is not supported');
    return { kind: 'literal', value: token.value };
  }
  if (token?.kind === 'param') {
    r.take();
    return { kind: 'param', name: token.value ?? '' };
  }
  if (token && isPunct(token, '(')) {
    const close = closingParen(r.tokens, r.i);
    if (close < 0) r.fail('unbalanced parentheses');
    const text = r.sql.slice(token.start, (r.tokens[close] as Token).end);
    r.i = close + 1;
    return { kind: 'expression', text };
  }
  return r.fail(
    `${statement}: write the file name as a plain '…' string, a \${…} parameter or an expression in parentheses`,
  );
}

/** `[WITH] ( name [value], … )` up to the end of the statement. */
function parseOptions(r: Reader, statement: string): StatementOption[] {
  r.acceptWord('with');
  if (r.done()) return [];
  if (!isPunct(r.peek(), '('))
    r.fail(`${statement}: put the options in parentheses, e.g. (FORMAT csv, HEADER)`);
  const close = closingParen(r.tokens, r.i);
  if (close < 0) r.fail('unbalanced parentheses');
  const inner = new Reader(r.tokens.slice(r.i + 1, close), r.sql);
  r.i = close + 1;
  if (!r.done()) r.fail(`${statement}: nothing may follow the option list`);
  const options: StatementOption[] = [];
  while (!inner.done()) {
    options.push(parseOption(inner, statement));
    if (!inner.done() && !isPunct(inner.take(), ',')) inner.fail(`${statement}: expected , between options`);
  }
  return options;
}

function parseOption(r: Reader, statement: string): StatementOption {
  const nameToken = r.take();
  const name = identName(nameToken);
  if (!nameToken || name === undefined || (nameToken.kind === 'ident' && nameToken.text.startsWith('U&')))
    return r.fail(`${statement}: expected an option name`);
  const text = nameToken.kind === 'word' ? plainWord(nameToken, r) : quoteIdent(name);
  if (r.done() || isPunct(r.peek(), ',')) return { name, text };
  return { name, text, value: optionValue(r, statement, name) };
}

function optionValue(r: Reader, statement: string, name: string): OptionValue {
  const token = r.take() as Token;
  const bad = (): never => {
    r.i -= 1;
    return r.fail(
      `${statement} option ${name}: use a plain value (a '…' string, a number, a word or a list)`,
    );
  };
  if (token.kind === 'string' && (token.prefix === '' || token.prefix === '$') && token.value !== undefined)
    return { kind: 'literal', value: token.value };
  if (token.kind === 'param') return { kind: 'param', name: token.value ?? '' };
  if (token.kind === 'number') return { kind: 'verbatim', text: plainNumber(token, r) };
  if (token.kind === 'word') return { kind: 'verbatim', text: plainWord(token, r) };
  if (isPunct(token, '*')) return { kind: 'verbatim', text: '*' };
  if (isPunct(token, '-') && r.peek()?.kind === 'number')
    return { kind: 'verbatim', text: `-${plainNumber(r.take() as Token, r)}` };
  if (isPunct(token, '(')) {
    const items: string[] = [];
    while (!isPunct(r.peek(), ')')) {
      const item = r.take();
      if (item?.kind === 'word') items.push(plainWord(item, r));
      else if (item?.kind === 'ident' && item.value !== undefined && !item.text.startsWith('U&'))
        items.push(quoteIdent(item.value));
      else if (item?.kind === 'string' && item.prefix === '' && item.value !== undefined)
        items.push(quoteLiteral(item.value));
      else if (item?.kind === 'number') items.push(plainNumber(item, r));
      else if (isPunct(item, '*')) items.push('*');
      else bad();
      if (isPunct(r.peek(), ',')) r.take();
      else if (!isPunct(r.peek(), ')')) bad();
    }
    r.take();
    return { kind: 'list', items };
  }
  return bad();
}

function plainWord(token: Token, r: Reader): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(token.text)) {
    r.i -= 1;
    r.fail(`unexpected ${token.text}`);
  }
  return token.text;
}

function plainNumber(token: Token, r: Reader): string {
  if (!/^[0-9][0-9A-Za-z_.]*$/.test(token.text)) {
    r.i -= 1;
    r.fail(`unexpected ${token.text}`);
  }
  return token.text;
}

function parseExport(r: Reader): ExportStatement {
  r.take(); // EXPORT
  if (!r.acceptWord('database')) r.fail('expected EXPORT DATABASE');
  let database: string | undefined;
  if ((r.peek()?.kind === 'word' || r.peek()?.kind === 'ident') && isWord(r.peek(1), 'to')) {
    database = identifier(r);
    r.take(); // TO
  }
  const targetAt = r.at();
  const target = parseTarget(r, 'EXPORT DATABASE');
  const options = parseOptions(r, 'EXPORT DATABASE');
  return { kind: 'export', ...(database ? { database } : {}), target, targetAt, options };
}

function parseAttach(r: Reader): AttachStatement {
  r.take(); // ATTACH
  const orReplace = isWord(r.peek(), 'or') && isWord(r.peek(1), 'replace');
  if (orReplace) r.i += 2;
  r.acceptWord('database');
  // DuckDB takes `IF NOT EXISTS` only right after ATTACH; the rebuilt text puts it there.
  const ifNotExists = isWord(r.peek(), 'if') && isWord(r.peek(1), 'not') && isWord(r.peek(2), 'exists');
  if (ifNotExists) r.i += 3;
  const targetAt = r.at();
  const target = parseTarget(r, 'ATTACH');
  let alias: string | undefined;
  if (r.acceptWord('as')) alias = identifier(r);
  const options = parseOptions(r, 'ATTACH');
  return { kind: 'attach', orReplace, ifNotExists, target, targetAt, ...(alias ? { alias } : {}), options };
}

function emitValue(value: OptionValue): string {
  switch (value.kind) {
    case 'literal':
      return quoteLiteral(value.value);
    case 'param':
      return `$${value.name}`;
    case 'verbatim':
      return value.text;
    case 'list':
      return `(${value.items.join(', ')})`;
  }
}

function emitOptions(options: StatementOption[]): string {
  if (options.length === 0) return '';
  const items = options.map((o) => (o.value ? `${o.text} ${emitValue(o.value)}` : o.text));
  return ` (${items.join(', ')})`;
}

/** The statement's text with `path` as its target (already resolved and checked by the caller). */
export function rebuildStatement(statement: WriteStatement, path: string): string {
  const target = quoteLiteral(path);
  switch (statement.kind) {
    case 'copy': {
      // The newlines end a trailing `--` comment of the query; DuckDB has checked that the query
      // parses on its own as one statement, so it cannot reach past its parentheses.
      const source = 'query' in statement.source ? `(\n${statement.source.query}\n)` : statement.source.table;
      return `COPY ${source} ${statement.direction.toUpperCase()} ${target}${emitOptions(statement.options)}`;
    }
    case 'export': {
      const database = statement.database ? `${statement.database} TO ` : '';
      return `EXPORT DATABASE ${database}${target}${emitOptions(statement.options)}`;
    }
    case 'attach': {
      const head = `ATTACH ${statement.orReplace ? 'OR REPLACE ' : ''}${statement.ifNotExists ? 'IF NOT EXISTS ' : ''}`;
      const alias = statement.alias ? ` AS ${statement.alias}` : '';
      return `${head}${target}${alias}${emitOptions(statement.options)}`;
    }
  }
}

/** An ATTACH option list that opens the database read-only. */
export function isReadOnly(options: StatementOption[]): boolean {
  return options.some((o) => {
    const value = valueText(o.value);
    if (o.name === 'read_only') return o.value === undefined || value === 'true' || value === '1';
    return o.name === 'access_mode' && value === 'read_only';
  });
}

function valueText(value: OptionValue | undefined): string | undefined {
  if (value?.kind === 'verbatim') return value.text.toLowerCase();
  if (value?.kind === 'literal') return value.value.toLowerCase();
  return undefined;
}
