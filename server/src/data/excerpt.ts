/**
 * Text from a data file, as it may appear in a message: short, quoted and escaped. A data
 * file can be anything (in an untrusted workspace, a file someone else chose), so no
 * message carries more than a few dozen of its characters, and none that could change
 * how the rest of the message reads (line breaks, control and bidirectional characters).
 */

/** Longest excerpt of a cell, label or column name in a message, in characters before escaping. */
export const MAX_EXCERPT = 32;

/**
 * `text` in double quotes, JSON-escaped, with every control, format (bidirectional
 * overrides, zero-width), separator other than a plain space, surrogate or private-use
 * character written as \uXXXX (\u{…} beyond the BMP), and cut to `max` characters with an ellipsis saying how
 * long it was.
 */
export function excerpt(text: string, max = MAX_EXCERPT): string {
  const chars = Array.from(text);
  const shown = chars.length > max ? chars.slice(0, max).join('') : text;
  const escaped = JSON.stringify(shown).replace(/(?! )[\p{C}\p{Z}]/gu, (c) => {
    const hex = c.codePointAt(0)!.toString(16);
    return c.length === 1 ? `\\u${hex.padStart(4, '0')}` : `\\u{${hex}}`;
  });
  return chars.length > max ? `${escaped.slice(0, -1)}…" (${chars.length} characters)` : escaped;
}

/** A name from a data file (a column, a label) shown bare when it is short and plain, else as an excerpt. */
export function dataName(name: string, max = MAX_EXCERPT): string {
  return /^[\p{L}\p{N}_.\- ]{1,}$/u.test(name) && name.length <= max && name.trim() === name ? name : excerpt(name, max);
}
