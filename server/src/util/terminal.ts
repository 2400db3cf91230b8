/**
 * Text bound for a terminal, made safe to print. Labels and header names from a CSV,
 * strings in a `.model` file and messages quoting them may hold control characters; a
 * terminal acts on those (ESC and CSI sequences clear the screen, move the cursor, retitle
 * the window; C1 controls such as U+009B, the one-character CSI, do the same on many
 * terminals), so a downloaded file could rewrite what the user sees.
 *
 * Every control character but line feed and tab — C0 (U+0000–U+001F, carriage return
 * included), DEL (U+007F) and C1 (U+0080–U+009F) — is written as a `\uXXXX` escape. That is
 * also JSON's escape, so JSON output passed through this stays valid and means the same
 * (JSON.stringify already escapes C0 inside strings, but leaves DEL and C1 raw). Pure (no
 * Node imports): the webview bundle may share modules that use it.
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function terminalSafe(text: string): string {
  // replace returns the same string when nothing matches: no copy for ordinary text.
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** An output (the CLI's `Output`) whose every line is made safe at the boundary. */
export function terminalSafeOutput(io: { out(text: string): void; err(text: string): void }): { out(text: string): void; err(text: string): void } {
  return { out: (text) => io.out(terminalSafe(text)), err: (text) => io.err(terminalSafe(text)) };
}
