import type { Range } from './position';

export type TokenKind =
  | 'ident'
  | 'number'
  | 'string'
  | 'newline'
  | '(' | ')' | '[' | ']' | '{' | '}'
  | ',' | ':' | '=' | '+' | '-' | '*' | '/'
  | '<' | '>' | '==' | '!=' | '<=' | '>='
  | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token (for strings: with quotes; for newline: "\n"). */
  readonly text: string;
  readonly range: Range;
  /** Character offset of the first code unit, for slicing the source. */
  readonly offset: number;
}

export interface Comment {
  readonly text: string;
  readonly range: Range;
  readonly block: boolean;
}

export const KEYWORDS = ['dataset', 'block', 'model', 'compare', 'repeat', 'residual', 'concat', 'if', 'else', 'and', 'or', 'not', 'train', 'true', 'false'] as const;
export const DECLARATION_KEYWORDS: ReadonlySet<string> = new Set(['dataset', 'block', 'model', 'compare']);
