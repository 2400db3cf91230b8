import type * as A from './ast';
import { numberValue } from './lexer';
import type { Position, Range } from './position';
import { EOF, EQ_EQ, GREATER_EQ, IDENT, LESS_EQ, NEWLINE, NOT_EQ, NUMBER, Scanner, STRING, type LexError } from './scanner';
import { clip } from '../util/clip';

/**
 * Error-tolerant recursive-descent parser. Statements end at newlines; inside `(...)`
 * and `[...]` newlines are skipped, except that a newline where `,` or a closing bracket
 * was expected closes the bracket with an error, so an unclosed `(` costs one line, not
 * the rest of the file. Recursion depth is bounded, so deep nesting is an error, not a
 * stack overflow.
 */
const MAX_DEPTH = 200;

const LPAREN = 40; // (
const RPAREN = 41; // )
const LBRACKET = 91; // [
const RBRACKET = 93; // ]
const LBRACE = 123; // {
const RBRACE = 125; // }
const COMMA = 44;
const COLON = 58;
const EQUALS = 61;
const PLUS = 43;
const MINUS = 45;
const STAR = 42;
const SLASH = 47;
const LESS = 60;
const GREATER = 62;

/** Binding strength of binary operators; 0 for tokens that are not one. */
function precedenceOf(kind: number, parser: { isWordAt(k: number, w: string): boolean }): number {
  switch (kind) {
    case PLUS:
    case MINUS:
      return 4;
    case STAR:
    case SLASH:
      return 5;
    case EQ_EQ:
    case NOT_EQ:
    case LESS:
    case LESS_EQ:
    case GREATER:
    case GREATER_EQ:
      return 3;
    case IDENT:
      return parser.isWordAt(0, 'and') ? 2 : parser.isWordAt(0, 'or') ? 1 : 0;
    default:
      return 0;
  }
}

const OP_TEXT: Record<number, A.BinaryOp> = {
  [PLUS]: '+',
  [MINUS]: '-',
  [STAR]: '*',
  [SLASH]: '/',
  [EQ_EQ]: '==',
  [NOT_EQ]: '!=',
  [LESS]: '<',
  [LESS_EQ]: '<=',
  [GREATER]: '>',
  [GREATER_EQ]: '>=',
};

/**
 * One top-level item as the parser met it: a declaration, or a stretch it could not read.
 * An incremental parse reuses items the edit cannot have changed (see reparse.ts).
 */
export interface TopItem {
  readonly decl: A.Declaration | undefined;
  /** Offset, line and column of the item's first token. */
  offset: number;
  line: number;
  readonly character: number;
  /** The parser's last error line when the item began; -1 when that line is before the item's. */
  errorLine: number;
  /** End offset of the furthest token the parser looked at before the next item began. */
  lookahead: number;
  readonly errors: A.SyntaxError[];
  /** Every position object of the item's nodes and errors (only when asked for), so it can be moved. */
  readonly positions: Position[] | undefined;
}

/** A parse with what an incremental parse of the next version needs. */
export interface ParsedText {
  readonly text: string;
  readonly source: A.SourceFile;
  readonly items: readonly TopItem[];
  readonly lexErrors: readonly LexError[];
}

export function parse(text: string): A.SourceFile {
  return parseText(text, false).source;
}

/** Parses the whole text; `track` records positions so a later incremental parse can move them. */
export function parseText(text: string, track: boolean): ParsedText {
  const scanner = new Scanner(text, 0, 0, 0, (text.length >> 2) + 16);
  // All tokens up front: one loop over the whole text is optimised within the first few kilobytes.
  scanner.fill(Number.MAX_SAFE_INTEGER - 64);
  const parser = new Parser(scanner, track, -1);
  const items: TopItem[] = [];
  for (let item = parser.nextItem(); item; item = parser.nextItem()) items.push(item);
  return assemble(text, items, scanner.errors, scanner.comments, parser.eofLine() + 1);
}

/** Builds the source file from items, sorting errors as a single pass would have produced them. */
export function assemble(text: string, items: readonly TopItem[], lexErrors: readonly LexError[], comments: A.SourceFile['comments'], lineCount: number): ParsedText {
  const declarations: A.Declaration[] = [];
  const errors: A.SyntaxError[] = [...lexErrors];
  for (const item of items) {
    if (item.decl) declarations.push(item.decl);
    for (const e of item.errors) errors.push(e);
  }
  errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return { text, source: { declarations, comments, errors, lineCount }, items, lexErrors };
}

export class Parser {
  private errors: A.SyntaxError[] = [];
  private positions: Position[] | undefined;
  /** Token cursor, relative to the scanner's first token. */
  private i = 0;
  private depth = 0;
  /** Furthest token index looked at. */
  private seen = 0;
  private current: TopItem | undefined;

  constructor(
    private readonly s: Scanner,
    private readonly track: boolean,
    private lastErrorLine: number,
  ) {}

  /**
   * Reads the next top-level item, or returns undefined at the end of the text. The
   * previous item's lookahead is final once this has looked at the next item's first token.
   */
  nextItem(): TopItem | undefined {
    const first = this.itemStart();
    if (first < 0) return undefined;
    return this.parseItem(first);
  }

  /** Skips blank lines to the next item's first token: its index, or -1 at the end. */
  itemStart(): number {
    this.skipNewlines();
    const j = this.ahead(0);
    if (this.current) this.current.lookahead = this.s.ends[this.seen];
    this.current = undefined;
    return this.s.kinds[j] === EOF ? -1 : j;
  }

  /** The parser's last error line, for deciding whether an old item may follow. */
  errorLine(): number {
    return this.lastErrorLine;
  }

  eofLine(): number {
    this.s.fill(Number.MAX_SAFE_INTEGER);
    return this.s.lines[this.s.count - 1];
  }

  /** Parses the item whose first token `first` is at the cursor. */
  parseItem(first: number): TopItem {
    const s = this.s;
    const line = s.lines[first];
    const item: TopItem = {
      decl: undefined,
      offset: s.starts[first],
      line,
      character: s.cols[first],
      errorLine: this.lastErrorLine < line ? -1 : this.lastErrorLine,
      lookahead: s.ends[first],
      errors: [],
      positions: this.track ? [] : undefined,
    };
    this.errors = item.errors;
    this.positions = item.positions;
    const decl = this.parseDeclaration();
    if (decl) (item as { decl: A.Declaration | undefined }).decl = decl;
    else {
      this.recoverToNextLine();
      // A stray `}` stops recovery where it stands: step over it, or the item loop never ends.
      if (this.i === first) this.next();
    }
    this.current = item;
    return item;
  }

  // ---- tokens ------------------------------------------------------------

  /** Index of the token `k` ahead of the cursor (the EOF token past the end), lexed on demand. */
  private ahead(k: number): number {
    let j = this.i + k;
    const s = this.s;
    if (j >= s.count) {
      s.fill(j);
      if (j >= s.count) j = s.count - 1;
    }
    if (j > this.seen) this.seen = j;
    return j;
  }
  private kind(k = 0): number {
    // The index first: lexing ahead may replace the arrays.
    const j = this.ahead(k);
    return this.s.kinds[j];
  }
  private next(): number {
    const j = this.ahead(0);
    if (this.s.kinds[j] !== EOF) this.i++;
    return j;
  }
  private at(kind: number): boolean {
    const j = this.ahead(0);
    return this.s.kinds[j] === kind;
  }
  /** Consumes the next token if it is of `kind` (never EOF) and returns its index, else -1. */
  private eat(kind: number): number {
    const j = this.ahead(0);
    if (this.s.kinds[j] !== kind) return -1;
    this.i++;
    return j;
  }
  private textOf(j: number): string {
    return this.s.text.slice(this.s.starts[j], this.s.ends[j]);
  }
  /** A name's or number's text, shared between its uses. */
  private word(j: number): string {
    return intern(this.s.text, this.s.starts[j], this.s.ends[j]);
  }
  /** Whether the token `k` ahead is the word `word`. */
  isWordAt(k: number, word: string): boolean {
    const j = this.ahead(k);
    return this.s.kinds[j] === IDENT && this.isWord(j, word);
  }
  private isWord(j: number, word: string): boolean {
    const s = this.s;
    return s.ends[j] - s.starts[j] === word.length && s.text.startsWith(word, s.starts[j]);
  }

  // ---- positions ---------------------------------------------------------

  private position(line: number, character: number): Position {
    const p = { line, character };
    if (this.positions) this.positions.push(p);
    return p;
  }
  private startOf(j: number): Position {
    return this.position(this.s.lines[j], this.s.cols[j]);
  }
  private endOf(j: number): Position {
    const s = this.s;
    return this.position(s.lines[j], s.cols[j] + s.ends[j] - s.starts[j]);
  }
  private rangeOf(j: number): Range {
    return { start: this.startOf(j), end: this.endOf(j) };
  }
  private prevEnd(): Position {
    return this.i > 0 ? this.endOf(this.i - 1) : this.startOf(this.ahead(0));
  }
  private emptyAtPrevEnd(): Range {
    const p = this.prevEnd();
    return { start: p, end: p };
  }
  private skipNewlines(): void {
    for (;;) {
      const j = this.ahead(0);
      if (this.s.kinds[j] !== NEWLINE) return;
      this.i++;
    }
  }
  /** Peeks past newlines without consuming them. */
  private peekPastNewlines(): number {
    let k = 0;
    while (this.kind(k) === NEWLINE) k++;
    return this.ahead(k);
  }

  private error(message: string, range: Range, code = 'syntax-error'): void {
    // One error per line is enough: the rest of a broken line is usually noise.
    if (range.start.line === this.lastErrorLine && code === 'syntax-error') return;
    this.lastErrorLine = range.start.line;
    this.errors.push({ code, message, range });
  }
  private errorAtToken(message: string, t = this.ahead(0)): void {
    const kind = this.s.kinds[t];
    if (kind !== NEWLINE && kind !== EOF) return this.error(message, this.rangeOf(t));
    // Suppressed errors cost no positions: the line check needs only the number.
    const line = this.s.lines[this.i > 0 ? this.i - 1 : this.ahead(0)];
    if (line === this.lastErrorLine) return;
    this.error(message, this.emptyAtPrevEnd());
  }
  private describe(t: number): string {
    const kind = this.s.kinds[t];
    if (kind === EOF) return 'the end of the file';
    if (kind === NEWLINE) return 'the end of the line';
    const text = this.textOf(t);
    if (kind === STRING) return `the string ${clip(text, 21)}`;
    if (kind === NUMBER) return `the number ${clip(text)}`;
    if (kind === IDENT) return `'${clip(text, 31)}'`;
    return `'${text}'`;
  }

  /** Skips to the end of the current line, stepping over balanced braces. */
  private recoverToNextLine(): void {
    let braces = 0;
    for (;;) {
      const kind = this.kind();
      if (kind === EOF) return;
      if (kind === NEWLINE && braces === 0) return;
      if (kind === LBRACE) braces++;
      if (kind === RBRACE) {
        if (braces === 0) return;
        braces--;
      }
      this.next();
    }
  }

  private identifier(what: string): A.Identifier | undefined {
    const t = this.ahead(0);
    if (this.s.kinds[t] === IDENT) {
      this.next();
      return { name: this.word(t), range: this.rangeOf(t) };
    }
    this.errorAtToken(`Expected ${what}, found ${this.describe(t)}.`);
    return undefined;
  }

  private missingName(): A.Identifier {
    return { name: '', range: this.emptyAtPrevEnd() };
  }

  // ---- declarations --------------------------------------------------------

  private parseDeclaration(): A.Declaration | undefined {
    const t = this.ahead(0);
    if (this.s.kinds[t] === IDENT) {
      if (this.isWord(t, 'model')) return this.parseModel();
      if (this.isWord(t, 'block')) return this.parseBlock();
      if (this.isWord(t, 'dataset')) return this.parseDataset();
      if (this.isWord(t, 'compare')) return this.parseCompare();
    }
    this.errorAtToken(`Expected a declaration (dataset, block, model or compare), found ${this.describe(t)}.`);
    return undefined;
  }

  private parseDataset(): A.DatasetDecl {
    const start = this.startOf(this.next());
    const name = this.identifier('a dataset name after `dataset`') ?? this.missingName();
    const props: A.Property[] = [];
    const end = this.parseBraced('dataset', (item) => {
      if (item.kind === 'property') props.push(item);
      else this.error('A dataset holds settings (`source: "data.csv"`), not layers.', item.range);
    }, false);
    return { kind: 'dataset', name, props, range: { start, end } };
  }

  private parseBlock(): A.BlockDecl {
    const start = this.startOf(this.next());
    const name = this.identifier('a block name after `block`') ?? this.missingName();
    const params: A.BlockParam[] = [];
    if (this.eat(LPAREN) >= 0) {
      this.parseDelimited(RPAREN, 'block parameters', () => {
        const id = this.identifier('a parameter name');
        if (!id) return false;
        let def: A.Expr | undefined;
        if (this.eat(EQUALS) >= 0 || this.eat(COLON) >= 0) def = this.parseExpr();
        params.push({ name: id, default: def, range: { start: id.range.start, end: this.prevEnd() } });
        return true;
      });
    }
    const body: A.BodyItem[] = [];
    const end = this.parseBraced('block', (item) => body.push(item), true);
    return { kind: 'block', name, params, body, range: { start, end } };
  }

  private parseModel(): A.ModelDecl {
    const start = this.startOf(this.next());
    const name = this.identifier('a model name after `model`') ?? this.missingName();
    const body: A.BodyItem[] = [];
    const end = this.parseBraced('model', (item) => body.push(item), true);
    return { kind: 'model', name, body, range: { start, end } };
  }

  private parseCompare(): A.CompareDecl {
    const start = this.startOf(this.next());
    const names: A.Identifier[] = [];
    for (;;) {
      const id = this.identifier('a model name');
      if (!id) break;
      names.push(id);
      if (this.eat(COMMA) < 0) break;
      this.skipNewlines();
    }
    if (!this.at(NEWLINE) && !this.at(EOF)) {
      this.errorAtToken(`Expected ',' or the end of the line after a model name, found ${this.describe(this.ahead(0))}.`);
      this.recoverToNextLine();
    }
    return { kind: 'compare', names, range: { start, end: this.prevEnd() } };
  }

  /**
   * Parses `{ items }`, returning the end position. A declaration keyword at the start
   * of a line inside an unclosed body ends it (the user forgot a `}`), so the next
   * declaration is still read.
   */
  private parseBraced(what: string, onItem: (item: A.BodyItem) => void, layers: boolean): Position {
    const open = this.eat(LBRACE);
    if (open < 0) {
      this.errorAtToken(`Expected '{' to open the ${what} body, found ${this.describe(this.ahead(0))}.`);
      return this.prevEnd();
    }
    return this.parseBodyItems(open, what, onItem, layers);
  }

  private parseBodyItems(open: number, what: string, onItem: (item: A.BodyItem) => void, layers: boolean): Position {
    return this.parseBracedLoop(open, what, () => {
      const before = this.i;
      const item = this.parseBodyItem(layers);
      if (item) onItem(item);
      else this.recoverFrom(before);
    });
  }

  /**
   * Reads what stands between the '{' at `open` and its '}', calling `onItem` at the start of
   * each line's content, and returns where the body ends. A body left open is reported as
   * `This ${what} body is never closed`; nesting past MAX_DEPTH is reported and skipped.
   */
  private parseBracedLoop(open: number, what: string, onItem: (t: number) => void): Position {
    if (++this.depth > MAX_DEPTH) {
      this.error(`Nesting deeper than ${MAX_DEPTH} levels is not supported: flatten the structure.`, this.rangeOf(open), 'nesting-too-deep');
      this.skipToClosingBrace();
      this.depth--;
      return this.prevEnd();
    }
    try {
      for (;;) {
        this.skipNewlines();
        const t = this.ahead(0);
        const kind = this.s.kinds[t];
        if (kind === RBRACE) {
          this.next();
          return this.endOf(t);
        }
        if (kind === EOF || (kind === IDENT && this.s.cols[t] === 0 && this.isDeclarationKeyword(t) && this.kind(1) === IDENT)) {
          this.error(`This ${what} body is never closed: add '}' to match this '{'.`, this.rangeOf(open), 'unclosed-brace');
          return this.prevEnd();
        }
        onItem(t);
      }
    } finally {
      this.depth--;
    }
  }

  /** After an item that could not be read from token `before`: skips to the next line, and past at least one token. */
  private recoverFrom(before: number): void {
    this.recoverToNextLine();
    if (this.i === before && !this.at(RBRACE) && !this.at(EOF)) this.next();
  }

  private isDeclarationKeyword(t: number): boolean {
    return this.isWord(t, 'model') || this.isWord(t, 'block') || this.isWord(t, 'dataset') || this.isWord(t, 'compare');
  }

  private skipToClosingBrace(): void {
    let depth = 0;
    while (!this.at(EOF)) {
      const kind = this.kind();
      this.next();
      if (kind === LBRACE) depth++;
      if (kind === RBRACE) {
        if (depth === 0) return;
        depth--;
      }
    }
  }

  private parseBodyItem(layers: boolean): A.BodyItem | undefined {
    const t = this.ahead(0);
    if (this.s.kinds[t] !== IDENT) {
      this.errorAtToken(
        layers
          ? `Expected a layer, a setting (\`name: value\`), repeat, residual, concat, if or train, found ${this.describe(t)}.`
          : `Expected a setting (\`name: value\`), found ${this.describe(t)}.`,
      );
      return undefined;
    }
    const after = this.kind(1);
    if (after === COLON) return this.parseProperty();
    if (!layers) {
      this.errorAtToken(`Expected a setting (\`name: value\`), found ${this.describe(t)}; add ':' and a value.`);
      return undefined;
    }
    if (this.isWord(t, 'repeat')) return this.parseRepeat();
    if (this.isWord(t, 'residual')) return this.parseResidual();
    if (this.isWord(t, 'concat')) return this.parseConcat();
    if (this.isWord(t, 'if')) return this.parseIf();
    if (this.isWord(t, 'else')) {
      this.errorAtToken('`else` must follow the `}` of an `if`: `if c { ... } else { ... }`.');
      return undefined;
    }
    if (after === LBRACE && this.isWord(t, 'train')) return this.parseTrain();
    return this.parseLayerCall();
  }

  private parseProperty(): A.Property {
    const key = this.next();
    this.next(); // ':'
    const keyRange = this.rangeOf(key);
    const value = this.parseExpr();
    this.expectLineEnd();
    return { kind: 'property', key: { name: this.word(key), range: keyRange }, value, range: { start: keyRange.start, end: value.range.end } };
  }

  /** After a setting, only a newline, `}` or the end may follow. */
  private expectLineEnd(): void {
    const kind = this.kind();
    if (kind === NEWLINE || kind === RBRACE || kind === EOF) return;
    if (kind === COMMA && this.kind(1) === IDENT && this.kind(2) === COLON) {
      // `epochs: 30, loss: mse`: the next setting is read as if on its own line, so neither is lost.
      this.error('Settings go one per line: put each `name: value` on a line of its own.', this.rangeOf(this.next()), 'one-setting-per-line');
      return;
    }
    this.errorAtToken(`Expected the end of the line after this value, found ${this.describe(this.ahead(0))}.`);
    this.recoverToNextLine();
  }

  private parseRepeat(): A.RepeatStmt {
    const keyword = this.rangeOf(this.next());
    const count = this.parseExprBeforeBody(keyword, 'Expected a count after `repeat`, e.g. `repeat 4 { ... }`.');
    const body: A.BodyItem[] = [];
    const end = this.parseLayerBody('repeat', body);
    return { kind: 'repeat', keyword, count, body, range: { start: keyword.start, end } };
  }

  private parseResidual(): A.ResidualStmt {
    const keyword = this.rangeOf(this.next());
    const args = this.at(LPAREN) ? this.parseArgs() : [];
    const body: A.BodyItem[] = [];
    const end = this.parseLayerBody('residual', body);
    return { kind: 'residual', keyword, args, body, range: { start: keyword.start, end } };
  }

  /** `concat { {path} {path} … }`: each path on a line of its own or several on one line. */
  private parseConcat(): A.ConcatStmt {
    const keyword = this.rangeOf(this.next());
    const paths: A.ConcatPath[] = [];
    const open = this.eat(LBRACE);
    if (open < 0) {
      this.errorAtToken(`Expected '{' after \`concat\`, holding one \`{ ... }\` per path, found ${this.describe(this.ahead(0))}.`);
      return { kind: 'concat', keyword, paths, range: { start: keyword.start, end: this.prevEnd() } };
    }
    const end = this.parseBracedLoop(open, 'concat', (t) => {
      if (this.s.kinds[t] !== LBRACE) {
        this.errorAtToken(`Expected a path in braces, \`{ layers }\` (\`{ }\` passes the input through), found ${this.describe(t)}.`);
        this.recoverFrom(this.i);
        return;
      }
      const start = this.startOf(t);
      const body: A.BodyItem[] = [];
      const pathEnd = this.parseLayerBody('concat path', body);
      paths.push({ body, range: { start, end: pathEnd } });
    });
    return { kind: 'concat', keyword, paths, range: { start: keyword.start, end } };
  }

  private parseIf(): A.IfStmt {
    const keyword = this.rangeOf(this.next());
    const condition = this.parseExprBeforeBody(keyword, 'Expected a condition after `if`, e.g. `if stride == 1 { ... }`.');
    const body: A.BodyItem[] = [];
    let end = this.parseLayerBody('if', body);
    // `else` may open the next line, after the `}`.
    const next = this.peekPastNewlines();
    if (!(this.s.kinds[next] === IDENT && this.isWord(next, 'else'))) return { kind: 'if', keyword, condition, body, range: { start: keyword.start, end } };
    this.skipNewlines();
    const elseKeyword = this.rangeOf(this.next());
    const elseBody: A.BodyItem[] = [];
    if (this.isWordAt(0, 'if')) {
      // `else if` is an if inside the else branch.
      const nested = this.parseIf();
      elseBody.push(nested);
      end = nested.range.end;
    } else end = this.parseLayerBody('else', elseBody);
    return { kind: 'if', keyword, condition, body, elseKeyword, elseBody, range: { start: keyword.start, end } };
  }

  /** The expression after `keyword`; where the body's '{' follows at once, `missing` is reported and an error node stands in. */
  private parseExprBeforeBody(keyword: Range, missing: string): A.Expr {
    if (!this.at(LBRACE)) return this.parseExpr();
    this.errorAtToken(missing);
    return { kind: 'error', range: keyword };
  }

  /** A braced body of layers only (settings and train sections are reported), appended to `body`; returns where it ends. */
  private parseLayerBody(what: string, body: A.BodyItem[]): Position {
    return this.parseBraced(what, (item) => this.layerOnly(item, body, what), true);
  }

  private layerOnly(item: A.BodyItem, body: A.BodyItem[], what: string): void {
    if (item.kind === 'property' || item.kind === 'train') {
      this.error(`A ${what} body holds layers only; move this ${item.kind === 'train' ? 'train section' : 'setting'} to the model.`, item.range);
    } else body.push(item);
  }

  private parseTrain(): A.TrainSection {
    const keyword = this.rangeOf(this.next());
    const props: A.Property[] = [];
    const end = this.parseBraced('train', (item) => {
      if (item.kind === 'property') props.push(item);
      else this.error('A train section holds settings such as `epochs: 10`, not layers.', item.range);
    }, false);
    return { kind: 'train', keyword, props, range: { start: keyword.start, end } };
  }

  private parseLayerCall(): A.LayerCall {
    const t = this.next();
    const range = this.rangeOf(t);
    const name = { name: this.word(t), range };
    if (!this.at(LPAREN)) return { kind: 'layer', name, range };
    const args = this.parseArgs();
    return { kind: 'layer', name, args, range: { start: range.start, end: this.prevEnd() } };
  }

  // ---- arguments and expressions ------------------------------------------

  private parseArgs(): A.Argument[] {
    this.next(); // '('
    const args: A.Argument[] = [];
    this.parseDelimited(RPAREN, 'arguments', () => {
      const t = this.ahead(0);
      let name: A.Identifier | undefined;
      if (this.s.kinds[t] === IDENT) {
        const after = this.kind(1);
        if (after === COLON || after === EQUALS) {
          this.next();
          name = { name: this.word(t), range: this.rangeOf(t) };
          this.next();
        }
      }
      const value = this.parseExpr();
      let range: Range;
      if (name) range = { start: name.range.start, end: value.range.end };
      // A positional argument spans its value, unless the value sits in parentheses or is missing.
      else if (value.range.start.line === this.s.lines[t] && value.range.start.character === this.s.cols[t]) range = value.range;
      else range = { start: this.startOf(t), end: value.range.end };
      args.push({ name, value, range });
      return value.kind !== 'error';
    });
    return args;
  }

  /**
   * Items separated by commas up to `close`. A newline where a comma or `close` was
   * expected ends the list with an error at the end of the previous line.
   */
  private parseDelimited(close: number, what: string, item: () => boolean): void {
    const open = this.i - 1;
    const closeText = String.fromCharCode(close);
    if (++this.depth > MAX_DEPTH) {
      this.error(`Nesting deeper than ${MAX_DEPTH} levels is not supported: flatten the expression.`, this.rangeOf(open), 'nesting-too-deep');
      this.depth--;
      this.recoverToNextLine();
      return;
    }
    try {
      this.skipNewlines();
      if (this.eat(close) >= 0) return;
      for (;;) {
        const kind = this.kind();
        if (kind === EOF || kind === RBRACE) {
          this.error(`Expected '${closeText}' to close these ${what}.`, this.rangeOf(open), 'unclosed-bracket');
          return;
        }
        if (!item()) {
          this.skipWithin(close);
          if (this.eat(close) >= 0) return;
          if (!this.at(COMMA)) {
            return;
          }
        }
        const sawNewline = this.at(NEWLINE);
        const after = this.peekPastNewlines();
        const afterKind = this.s.kinds[after];
        if (afterKind === COMMA) {
          this.skipNewlines();
          this.next();
          this.skipNewlines();
          if (this.eat(close) >= 0) return; // trailing comma
          continue;
        }
        if (afterKind === close) {
          this.skipNewlines();
          this.next();
          return;
        }
        if (sawNewline || afterKind === EOF || afterKind === RBRACE) {
          this.error(`Expected '${closeText}' to close these ${what}: add it at the end of this line.`, this.emptyAtPrevEnd(), 'unclosed-bracket');
          return;
        }
        // Same line, no comma: the user most likely forgot one; report and read on.
        this.errorAtToken(`Expected ',' or '${closeText}' in ${what}, found ${this.describe(after)}.`, after);
      }
    } finally {
      this.depth--;
    }
  }

  /** Skips a broken item inside brackets, stopping at `,`, `close` or a line break. */
  private skipWithin(close: number): void {
    let depth = 0;
    for (;;) {
      const kind = this.kind();
      if (kind === EOF) return;
      if (depth === 0 && (kind === COMMA || kind === close || kind === NEWLINE || kind === RBRACE)) return;
      if (kind === LPAREN || kind === LBRACKET) depth++;
      if (kind === RPAREN || kind === RBRACKET) {
        if (depth === 0) return;
        depth--;
      }
      if (kind === NEWLINE || kind === RBRACE) return;
      this.next();
    }
  }

  private parseExpr(): A.Expr {
    return this.parseBinary(1);
  }

  /**
   * Binary operators by precedence climbing, all left-associative, loosest first: `or` (1),
   * `and` (2), comparisons (3), `+` `-` (4), `*` `/` (5); `not` binds tighter than `and`
   * and looser than comparisons. One function for all levels keeps a value's parse short.
   */
  private parseBinary(minPrecedence: number): A.Expr {
    let left = minPrecedence <= 3 && this.isWordAt(0, 'not') ? this.parseNot() : this.parseUnary();
    for (;;) {
      const kind = this.kind();
      const precedence = precedenceOf(kind, this);
      if (precedence < minPrecedence || precedence === 0) return left;
      const op: A.BinaryOp = kind === IDENT ? (this.isWordAt(0, 'and') ? 'and' : 'or') : OP_TEXT[kind];
      this.next();
      const right = this.parseBinary(precedence + 1);
      left = { kind: 'binary', op, left, right, range: { start: left.range.start, end: right.range.end } };
    }
  }

  private parseNot(): A.Expr {
    const keyword = this.rangeOf(this.next());
    if (++this.depth > MAX_DEPTH) {
      this.depth--;
      this.error('Too many nested `not`s.', keyword, 'nesting-too-deep');
      return { kind: 'error', range: keyword };
    }
    const operand = this.parseBinary(3);
    this.depth--;
    return { kind: 'unary', op: 'not', operand, range: { start: keyword.start, end: operand.range.end } };
  }

  private parseUnary(): A.Expr {
    if (this.at(MINUS)) {
      const minus = this.rangeOf(this.next());
      if (++this.depth > MAX_DEPTH) {
        this.depth--;
        this.error('Too many nested signs.', minus, 'nesting-too-deep');
        return { kind: 'error', range: minus };
      }
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'unary', op: '-', operand, range: { start: minus.start, end: operand.range.end } };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): A.Expr {
    const t = this.ahead(0);
    switch (this.s.kinds[t]) {
      case NUMBER: {
        this.next();
        const raw = this.word(t);
        return { kind: 'number', value: numberValue(raw), raw, range: this.rangeOf(t) };
      }
      case STRING:
        this.next();
        return { kind: 'string', value: unquote(this.textOf(t)), range: this.rangeOf(t) };
      case IDENT: {
        this.next();
        const range = this.rangeOf(t);
        if (this.isWord(t, 'true') || this.isWord(t, 'false')) return { kind: 'bool', value: this.isWord(t, 'true'), range };
        const name = this.word(t);
        if (this.at(LPAREN)) {
          const args = this.parseArgs();
          return { kind: 'call', callee: { name, range }, args, range: { start: range.start, end: this.prevEnd() } };
        }
        const target: A.NameRef = { kind: 'name', name, range };
        const open = this.ahead(0);
        // Only a `[` glued to the name indexes it: `in_shape[0]`.
        if (this.s.kinds[open] !== LBRACKET || this.s.starts[open] !== this.s.ends[t]) return target;
        this.next();
        let index: A.Expr | undefined;
        this.parseDelimited(RBRACKET, 'index', () => {
          if (index) {
            this.errorAtToken('An index is one number, e.g. `in_shape[0]`.');
            return false;
          }
          index = this.parseExpr();
          return index.kind !== 'error';
        });
        return { kind: 'index', target, index: index ?? { kind: 'error', range: this.rangeOf(open) }, range: { start: range.start, end: this.prevEnd() } };
      }
      case LBRACKET: {
        this.next();
        const start = this.startOf(t);
        const items: A.Expr[] = [];
        this.parseDelimited(RBRACKET, 'list items', () => {
          const e = this.parseExpr();
          items.push(e);
          return e.kind !== 'error';
        });
        return { kind: 'list', items, range: { start, end: this.prevEnd() } };
      }
      case LPAREN: {
        this.next();
        let inner: A.Expr | undefined;
        this.parseDelimited(RPAREN, 'parentheses', () => {
          inner = this.parseExpr();
          return inner.kind !== 'error';
        });
        return inner ?? { kind: 'error', range: this.rangeOf(t) };
      }
      default: {
        this.errorAtToken(`Expected a value (a number, string, name or [list]), found ${this.describe(t)}.`);
        const kind = this.s.kinds[t];
        return { kind: 'error', range: kind === NEWLINE || kind === EOF ? this.emptyAtPrevEnd() : this.rangeOf(t) };
      }
    }
  }
}

/**
 * Names and numbers repeat (dense, activation, relu, 3): a direct-mapped table returns one
 * string per spelling, so a large file does not hold a copy per use. Only short texts are
 * kept, which the engine copies out of the document rather than pointing into it.
 */
const INTERNED = new Array<string | undefined>(4096);

function intern(text: string, start: number, end: number): string {
  const length = end - start;
  if (length > 12) return text.slice(start, end);
  let h = length;
  for (let k = start; k < end; k++) h = (Math.imul(h, 31) + text.charCodeAt(k)) | 0;
  const slot = (h ^ (h >>> 12)) & 4095;
  const hit = INTERNED[slot];
  if (hit !== undefined && hit.length === length && text.startsWith(hit, start)) return hit;
  const s = text.slice(start, end);
  INTERNED[slot] = s;
  return s;
}

function unquote(raw: string): string {
  const body = raw.endsWith('"') && raw.length > 1 ? raw.slice(1, -1) : raw.slice(1);
  return body.includes('\\') ? body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)) : body;
}
