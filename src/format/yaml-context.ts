/**
 * Positions and errors for nodes of the front matter YAML: maps a node's offset in the YAML text
 * to a line/column in the notebook file.
 */
import type { Node } from 'yaml';
import { NotebookParseError } from './errors.js';
import type { LineIndex } from './lines.js';
import type { FormatWarning, SourcePosition } from './types.js';

export class YamlContext {
  constructor(
    private readonly index: LineIndex,
    /** offset of the YAML text in the (BOM-less) file */
    private readonly yamlOffset: number,
    readonly warnings: FormatWarning[],
    readonly path?: string,
  ) {}

  at(offset: number): SourcePosition {
    return this.index.position(this.yamlOffset + offset);
  }

  /** Position of a node (or the fallback offset when the node has no range). */
  of(node: unknown, fallback = 0): SourcePosition {
    const range = (node as Node | null | undefined)?.range;
    return this.at(range ? range[0] : fallback);
  }

  error(message: string, node: unknown, fallback = 0): NotebookParseError {
    const { line, column } = this.of(node, fallback);
    return new NotebookParseError(message, line, column, this.path);
  }

  warn(message: string, node: unknown, fallback = 0): void {
    this.warnings.push({ ...this.of(node, fallback), message });
  }
}
