import type { Range } from '../language/position';

/** A spec's text, for the `.model` lines that exported code quotes in its comments. */
export class SourceText {
  private readonly lines: string[];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    this.lines = text.split(/\r?\n/);
  }

  /**
   * The code at `range` on one line, spaces collapsed and comments dropped: a call as
   * written, or the head of a group (`residual(projection: true) { … }`).
   */
  snippet(range: Range, max = 100): string {
    const first = this.lines[range.start.line] ?? '';
    const end = range.end.line === range.start.line ? range.end.character : first.length;
    let text = first.slice(range.start.character, end).replace(/\/\/.*$/, '').replace(/\s+/g, ' ').trim();
    if (range.end.line > range.start.line) text = text.endsWith('{') ? `${text} … }` : `${text} …`;
    return text.length > max ? `${text.slice(0, max - 1)}…` : text;
  }
}

/**
 * A model the checker accepts but that cannot be exported as asked; `range` points at the
 * layer at fault, and the CLI prints it as file:line:col with the code.
 */
export class ExportError extends Error {
  override readonly name = 'ExportError';
  constructor(
    message: string,
    readonly range?: Range,
    readonly code = 'export-unsupported',
  ) {
    super(message);
  }
}
