/** The names bound by a binding pattern (`a`, `{a, b: [c], ...d}`, `[e = 1]`). */
import type { Pattern } from 'acorn';

export function patternNames(pattern: Pattern, names: string[] = []): string[] {
  switch (pattern.type) {
    case 'Identifier':
      names.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) {
        patternNames(property.type === 'Property' ? property.value : property, names);
      }
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) patternNames(element, names);
      break;
    case 'RestElement':
      patternNames(pattern.argument, names);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left, names);
      break;
    case 'MemberExpression':
      // `[a.b] = …` assigns a property; it binds nothing.
      break;
  }
  return names;
}
