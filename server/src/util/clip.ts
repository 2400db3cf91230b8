/**
 * User text quoted in a message (a name, a value, a CSV header or cell) is cut to this many
 * characters: a 10 MB identifier must not become a 10 MB message in every editor and log.
 */
export const MAX_QUOTED = 60;

/** `text` if it is at most `max` characters long, else its start and "…" (`max` characters in all). */
export function clip(text: string, max = MAX_QUOTED): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Never half a surrogate pair.
  const c = text.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
