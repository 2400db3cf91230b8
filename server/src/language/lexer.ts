import type { Range } from './position';
import { EOF, kindName, Scanner, type LexError } from './scanner';
import type { Comment, Token, TokenKind } from './tokens';

export type { LexError } from './scanner';

export interface LexResult {
  readonly tokens: Token[];
  readonly comments: Comment[];
  readonly errors: LexError[];
}

/**
 * The whole text as token objects, for the editor features that walk tokens (completion
 * context, formatting). The parser reads the Scanner's arrays directly instead.
 */
export function lex(text: string): LexResult {
  const s = new Scanner(text, 0, 0, 0, (text.length >> 2) + 16);
  s.fill(Number.MAX_SAFE_INTEGER);
  const tokens: Token[] = new Array(s.count);
  for (let k = 0; k < s.count; k++) {
    const kind = s.kinds[k];
    tokens[k] = new LexedToken(kindName(kind), kind === EOF ? '' : text.slice(s.starts[k], s.ends[k]), s.starts[k], s.lines[k], s.cols[k], s.cols[k] + s.ends[k] - s.starts[k]);
  }
  return { tokens, comments: s.comments, errors: s.errors };
}

/**
 * Tokens never span lines, so a token stores its line and columns and builds its range
 * object only when asked: most punctuation never is.
 */
class LexedToken implements Token {
  private cached: Range | undefined;
  constructor(
    readonly kind: TokenKind,
    readonly text: string,
    readonly offset: number,
    private readonly line: number,
    private readonly startChar: number,
    private readonly endChar: number,
  ) {}

  get range(): Range {
    return (this.cached ??= { start: { line: this.line, character: this.startChar }, end: { line: this.line, character: this.endChar } });
  }
}

export function numberValue(raw: string): number {
  return Number(raw.includes('_') ? raw.replace(/_/g, '') : raw);
}
