/**
 * Tables that a JS cell reads through the `sql` tagged template: in
 * ``await sql`select * from orders` `` the name `orders` is an input of the cell, although it is
 * text to the JS parser. The template's text is scanned like a SQL cell's (the graph keeps only
 * names some cell declares).
 */
import type { Node, TaggedTemplateExpression } from 'acorn';
import { simple } from 'acorn-walk';
import { findTableCandidates } from './sql-tables.js';

export function findSqlTemplateTables(program: Node): string[] {
  const names = new Set<string>();
  simple(program, {
    TaggedTemplateExpression(node: TaggedTemplateExpression) {
      if (node.tag.type !== 'Identifier' || node.tag.name !== 'sql') return;
      // Each `${…}` is a bound parameter; a placeholder keeps the SQL's shape for the scan.
      const text = node.quasi.quasis.map((q) => q.value.cooked ?? q.value.raw).join(' $0 ');
      for (const name of findTableCandidates(text)) names.add(name);
    },
  });
  return [...names];
}
