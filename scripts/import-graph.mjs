// The import graph of src/: every relative import of every .ts/.tsx file, static, re-export or
// dynamic `import('…')`, type-only ones included (a type import is still a dependency of the
// design, even if it costs nothing at run time). Read with TypeScript's parser, so strings and
// comments that look like imports are not imports. Used by scripts/check-cycles.mjs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The .ts/.tsx files under `dir`, as paths relative to `root`. */
export function sourceFiles(root, dir = 'src') {
  const walk = (folder) =>
    readdirSync(folder).flatMap((name) => {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) return walk(path);
      return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
    });
  return walk(join(root, dir)).map((path) => relative(root, path).split('\\').join('/'));
}

/** The relative module specifiers `text` imports, with whether each is type-only. */
export function importSpecifiers(text, fileName = 'file.ts') {
  const kind = fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, kind);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) {
        const typeOnly = ts.isImportDeclaration(node)
          ? Boolean(node.importClause?.isTypeOnly)
          : node.isTypeOnly;
        found.push({ specifier: node.moduleSpecifier.text, typeOnly });
      }
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((f) => f.specifier.startsWith('.'));
}

/** `./x.js` from `src/a/b.ts` -> `src/a/x.ts` (or .tsx), relative to `root`; undefined if missing. */
export function resolveSpecifier(root, from, specifier) {
  const base = resolve(root, dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'), base, `${base}.ts`];
  const hit = candidates.find((path) => existsSync(path) && statSync(path).isFile());
  return hit && relative(root, hit).split('\\').join('/');
}

/** Map file -> the files of src/ it imports (relative to `root`). */
export function importGraph(root) {
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const text = readFileSync(join(root, file), 'utf8');
    const targets = importSpecifiers(text, file)
      .map(({ specifier }) => resolveSpecifier(root, file, specifier))
      .filter((target) => target !== undefined && target !== file);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}
