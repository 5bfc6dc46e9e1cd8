/**
 * Which names a SQL query may read as tables (DESIGN §3: a JS array a cell names in `FROM` is
 * queried as a table). A token-level scan, not a parser: it takes microseconds, needs no
 * database, and tolerates every dialect (DuckDB's FROM-first, PIVOT, PostgreSQL's ONLY …). It
 * over-approximates on purpose: the graph keeps only candidates some cell declares.
 *
 * A candidate is a plain or "quoted" identifier right after FROM, JOIN, a comma of a FROM list,
 * INTO, UPDATE, TABLE (and DuckDB's PIVOT, UNPIVOT, SUMMARIZE, DESCRIBE) that is neither
 * schema-qualified (`a.b`) nor a table function (`read_csv(…)`), minus the CTE names of WITH.
 */
import { tokenizeSql, type SqlToken } from './sql-lexer.js';

const words = (list: string): Set<string> => new Set(list.split(/\s+/));

const TRIGGERS = words('FROM JOIN INTO UPDATE TABLE PIVOT UNPIVOT SUMMARIZE DESCRIBE');
/** Words between a trigger and the table name: `FROM ONLY t`, `CREATE TABLE IF NOT EXISTS t`. */
const MODIFIERS = words('LATERAL ONLY IF NOT EXISTS TEMP TEMPORARY UNLOGGED');
/** Words that end a FROM list, so later commas are not table separators. */
const FROM_END = words(
  'WHERE GROUP ORDER HAVING LIMIT OFFSET QUALIFY WINDOW UNION INTERSECT EXCEPT RETURNING SELECT SET VALUES',
);
/** Words that are never a table name nor a function name before `(`. */
const KEYWORDS = new Set([
  ...TRIGGERS,
  ...MODIFIERS,
  ...FROM_END,
  ...words(
    'WITH AS ON IN USING AND OR ANY ALL SOME CASE WHEN THEN ELSE END DISTINCT BY LIKE ILIKE IS BETWEEN DEFAULT NULL TRUE FALSE RECURSIVE MATERIALIZED OVER FILTER ARRAY',
  ),
]);

interface Scan {
  tokens: SqlToken[];
  names: SqlToken[];
  /** paren depths currently inside a FROM list */
  fromLists: Set<number>;
  /** per depth: opened by a function call (`extract(year FROM ts)`), and whether SELECT was seen */
  calls: boolean[];
  selects: boolean[];
  depth: number;
}

export function findTableCandidates(sql: string): string[] {
  return [...new Set(findTableCandidateTokens(sql).map((token) => token.value))];
}

/** The tokens of `findTableCandidates`, each occurrence with its position (a rename rewrites them). */
export function findTableCandidateTokens(sql: string): SqlToken[] {
  const tokens = tokenizeSql(sql);
  const scan: Scan = { tokens, names: [], fromLists: new Set(), calls: [false], selects: [false], depth: 0 };
  tokens.forEach((token, index) => visit(scan, token, index));
  const ctes = new Set(findCteNames(tokens).map((name) => name.toLowerCase()));
  return scan.names.filter((token) => !ctes.has(token.value.toLowerCase()));
}

function visit(scan: Scan, token: SqlToken, index: number): void {
  const word = keyword(token);
  if (token.text === '(') return openParen(scan, index);
  if (token.text === ')') {
    scan.fromLists.delete(scan.depth);
    scan.depth = Math.max(0, scan.depth - 1);
  } else if (token.text === ';') {
    scan.fromLists.clear();
  } else if (token.text === ',' && scan.fromLists.has(scan.depth)) {
    addCandidate(scan, index + 1, false);
  } else if (TRIGGERS.has(word) && isTableTrigger(scan, index)) {
    if (word === 'FROM' || word === 'JOIN') scan.fromLists.add(scan.depth);
    addCandidate(scan, index + 1, word === 'INTO');
  } else if (FROM_END.has(word)) {
    scan.fromLists.delete(scan.depth);
  }
  if (word === 'SELECT') scan.selects[scan.depth] = true;
}

function openParen(scan: Scan, index: number): void {
  const previous = scan.tokens[index - 1];
  scan.depth++;
  scan.calls[scan.depth] = previous !== undefined && isIdentifier(previous);
  scan.selects[scan.depth] = false;
}

/** FROM inside `extract(… FROM …)`, `substring(… FROM …)` or after `IS DISTINCT` reads no table. */
function isTableTrigger(scan: Scan, index: number): boolean {
  if (keyword(scan.tokens[index] as SqlToken) !== 'FROM') return true;
  const previous = scan.tokens[index - 1];
  if (previous && keyword(previous) === 'DISTINCT') return false;
  return !scan.calls[scan.depth] || scan.selects[scan.depth] === true;
}

/** Adds the identifier at `index` (after any modifiers) unless it is qualified or a function. */
function addCandidate(scan: Scan, index: number, allowColumnList: boolean): void {
  let at = index;
  while (scan.tokens[at] && MODIFIERS.has(keyword(scan.tokens[at] as SqlToken))) at++;
  const token = scan.tokens[at];
  const next = scan.tokens[at + 1];
  if (!token || !isIdentifier(token)) return;
  if (next?.text === '.' || (next?.text === '(' && !allowColumnList)) return;
  scan.names.push(token);
}

/** `WITH [RECURSIVE] a [(cols)] AS [NOT] [MATERIALIZED] (…), b AS (…)`: the names a, b. */
export function findCteNames(tokens: SqlToken[]): string[] {
  const names: string[] = [];
  tokens.forEach((token, index) => {
    const previous = tokens[index - 1];
    const introducer =
      previous && (['WITH', 'RECURSIVE'].includes(keyword(previous)) || previous.text === ',');
    if (introducer && isIdentifier(token) && isCteBody(tokens, index + 1)) names.push(token.value);
  });
  return names;
}

function isCteBody(tokens: SqlToken[], index: number): boolean {
  let at = index;
  if (tokens[at]?.text === '(') at = closingParen(tokens, at) + 1;
  if (keyword(tokens[at]) !== 'AS') return false;
  at++;
  while (['NOT', 'MATERIALIZED'].includes(keyword(tokens[at]))) at++;
  return tokens[at]?.text === '(';
}

function closingParen(tokens: SqlToken[], open: number): number {
  let depth = 0;
  for (let at = open; at < tokens.length; at++) {
    if (tokens[at]?.text === '(') depth++;
    else if (tokens[at]?.text === ')' && --depth === 0) return at;
  }
  return tokens.length;
}

function isIdentifier(token: SqlToken): boolean {
  return token.kind === 'quoted' || (token.kind === 'word' && !KEYWORDS.has(token.value.toUpperCase()));
}

/** The upper-cased word, or '' for anything that is not an unquoted word. */
function keyword(token: SqlToken | undefined): string {
  return token?.kind === 'word' ? token.value.toUpperCase() : '';
}
