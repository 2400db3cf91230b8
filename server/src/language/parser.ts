import type * as A from './ast';
import { lex } from './lexer';
import { numberValue } from './lexer';
import type { Position, Range } from './position';
import { DECLARATION_KEYWORDS, type Token, type TokenKind } from './tokens';

/**
 * Error-tolerant recursive-descent parser. Statements end at newlines; inside `(...)`
 * and `[...]` newlines are skipped, except that a newline where `,` or a closing bracket
 * was expected closes the bracket with an error, so an unclosed `(` costs one line, not
 * the rest of the file. Recursion depth is bounded, so deep nesting is an error, not a
 * stack overflow.
 */
const MAX_DEPTH = 200;

export function parse(text: string): A.SourceFile {
  const lexed = lex(text);
  const parser = new Parser(lexed.tokens);
  const declarations = parser.parseFile();
  const errors: A.SyntaxError[] = [...lexed.errors, ...parser.errors];
  errors.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const last = lexed.tokens[lexed.tokens.length - 1];
  return { declarations, comments: lexed.comments, errors, lineCount: last.range.end.line + 1 };
}

class Parser {
  readonly errors: A.SyntaxError[] = [];
  private i = 0;
  private depth = 0;
  private lastErrorLine = -1;

  constructor(private readonly tokens: Token[]) {}

  parseFile(): A.Declaration[] {
    const decls: A.Declaration[] = [];
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === 'eof') return decls;
      const before = this.i;
      const decl = this.parseDeclaration();
      if (decl) decls.push(decl);
      else {
        this.recoverToNextLine();
        // A stray `}` stops recovery where it stands: step over it, or this loop never ends.
        if (this.i === before) this.next();
      }
    }
  }

  // ---- tokens ------------------------------------------------------------

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.i + k, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.tokens[this.i];
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private at(kind: TokenKind, text?: string): boolean {
    const t = this.peek();
    return t.kind === kind && (text === undefined || t.text === text);
  }
  private eat(kind: TokenKind): Token | undefined {
    return this.at(kind) ? this.next() : undefined;
  }
  private prevEnd(): Position {
    return this.i > 0 ? this.tokens[this.i - 1].range.end : this.peek().range.start;
  }
  private skipNewlines(): void {
    while (this.at('newline')) this.next();
  }
  /** Peeks past newlines without consuming them. */
  private peekPastNewlines(): Token {
    let k = 0;
    while (this.peek(k).kind === 'newline') k++;
    return this.peek(k);
  }

  private error(message: string, range: Range, code = 'syntax-error'): void {
    // One error per line is enough: the rest of a broken line is usually noise.
    if (range.start.line === this.lastErrorLine && code === 'syntax-error') return;
    this.lastErrorLine = range.start.line;
    this.errors.push({ code, message, range });
  }
  private errorAtToken(message: string, t = this.peek()): void {
    const r = t.kind === 'newline' || t.kind === 'eof' ? { start: this.prevEnd(), end: this.prevEnd() } : t.range;
    this.error(message, r);
  }
  private describe(t: Token): string {
    if (t.kind === 'eof') return 'the end of the file';
    if (t.kind === 'newline') return 'the end of the line';
    if (t.kind === 'string') return `the string ${t.text.length > 20 ? t.text.slice(0, 20) + '…' : t.text}`;
    if (t.kind === 'number') return `the number ${t.text}`;
    if (t.kind === 'ident') return `'${t.text.length > 30 ? t.text.slice(0, 30) + '…' : t.text}'`;
    return `'${t.text}'`;
  }

  /** Skips to the end of the current line, stepping over balanced braces. */
  private recoverToNextLine(): void {
    let braces = 0;
    while (!this.at('eof')) {
      const t = this.peek();
      if (t.kind === 'newline' && braces === 0) return;
      if (t.kind === '{') braces++;
      if (t.kind === '}') {
        if (braces === 0) return;
        braces--;
      }
      this.next();
    }
  }

  private identifier(what: string): A.Identifier | undefined {
    const t = this.peek();
    if (t.kind === 'ident') {
      this.next();
      return { name: t.text, range: t.range };
    }
    this.errorAtToken(`Expected ${what}, found ${this.describe(t)}.`);
    return undefined;
  }

  private missingName(): A.Identifier {
    const p = this.prevEnd();
    return { name: '', range: { start: p, end: p } };
  }

  // ---- declarations --------------------------------------------------------

  private parseDeclaration(): A.Declaration | undefined {
    const t = this.peek();
    if (t.kind === 'ident') {
      switch (t.text) {
        case 'dataset':
          return this.parseDataset();
        case 'block':
          return this.parseBlock();
        case 'model':
          return this.parseModel();
        case 'compare':
          return this.parseCompare();
      }
    }
    this.errorAtToken(
      `Expected a declaration (dataset, block, model or compare), found ${this.describe(t)}.`,
    );
    return undefined;
  }

  private parseDataset(): A.DatasetDecl {
    const kw = this.next();
    const name = this.identifier('a dataset name after `dataset`') ?? this.missingName();
    const props: A.Property[] = [];
    const end = this.parseBraced('dataset', (item) => {
      if (item.kind === 'property') props.push(item);
      else this.error('A dataset holds settings (`source: "data.csv"`), not layers.', item.range);
    }, false);
    return { kind: 'dataset', name, props, range: { start: kw.range.start, end } };
  }

  private parseBlock(): A.BlockDecl {
    const kw = this.next();
    const name = this.identifier('a block name after `block`') ?? this.missingName();
    const params: A.BlockParam[] = [];
    if (this.eat('(')) {
      this.parseDelimited(')', 'block parameters', () => {
        const id = this.identifier('a parameter name');
        if (!id) return false;
        let def: A.Expr | undefined;
        if (this.eat('=') || this.eat(':')) def = this.parseExpr();
        params.push({ name: id, default: def, range: { start: id.range.start, end: this.prevEnd() } });
        return true;
      });
    }
    const body: A.BodyItem[] = [];
    const end = this.parseBraced('block', (item) => body.push(item), true);
    return { kind: 'block', name, params, body, range: { start: kw.range.start, end } };
  }

  private parseModel(): A.ModelDecl {
    const kw = this.next();
    const name = this.identifier('a model name after `model`') ?? this.missingName();
    const body: A.BodyItem[] = [];
    const end = this.parseBraced('model', (item) => body.push(item), true);
    return { kind: 'model', name, body, range: { start: kw.range.start, end } };
  }

  private parseCompare(): A.CompareDecl {
    const kw = this.next();
    const names: A.Identifier[] = [];
    for (;;) {
      const id = this.identifier('a model name');
      if (!id) break;
      names.push(id);
      if (!this.eat(',')) break;
      this.skipNewlines();
    }
    if (!this.at('newline') && !this.at('eof')) {
      this.errorAtToken(`Expected ',' or the end of the line after a model name, found ${this.describe(this.peek())}.`);
      this.recoverToNextLine();
    }
    return { kind: 'compare', names, range: { start: kw.range.start, end: this.prevEnd() } };
  }

  /**
   * Parses `{ items }`, returning the end position. A declaration keyword at the start
   * of a line inside an unclosed body ends it (the user forgot a `}`), so the next
   * declaration is still read.
   */
  private parseBraced(what: string, onItem: (item: A.BodyItem) => void, layers: boolean): Position {
    const open = this.eat('{');
    if (!open) {
      this.errorAtToken(`Expected '{' to open the ${what} body, found ${this.describe(this.peek())}.`);
      return this.prevEnd();
    }
    return this.parseBodyItems(open, what, onItem, layers);
  }

  private parseBodyItems(open: Token, what: string, onItem: (item: A.BodyItem) => void, layers: boolean): Position {
    if (++this.depth > MAX_DEPTH) {
      this.error(`Nesting deeper than ${MAX_DEPTH} levels is not supported: flatten the structure.`, open.range, 'nesting-too-deep');
      this.skipToClosingBrace();
      this.depth--;
      return this.prevEnd();
    }
    try {
      for (;;) {
        this.skipNewlines();
        const t = this.peek();
        if (t.kind === '}') {
          this.next();
          return t.range.end;
        }
        if (t.kind === 'eof' || (t.kind === 'ident' && DECLARATION_KEYWORDS.has(t.text) && t.range.start.character === 0 && this.isDeclarationStart())) {
          this.error(`This ${what} body is never closed: add '}' to match this '{'.`, open.range, 'unclosed-brace');
          return this.prevEnd();
        }
        const before = this.i;
        const item = this.parseBodyItem(layers);
        if (item) onItem(item);
        else {
          this.recoverToNextLine();
          if (this.i === before && !this.at('}') && !this.at('eof')) this.next();
        }
      }
    } finally {
      this.depth--;
    }
  }

  private isDeclarationStart(): boolean {
    const next = this.peek(1);
    return next.kind === 'ident';
  }

  private skipToClosingBrace(): void {
    let depth = 0;
    while (!this.at('eof')) {
      const t = this.next();
      if (t.kind === '{') depth++;
      if (t.kind === '}') {
        if (depth === 0) return;
        depth--;
      }
    }
  }

  private parseBodyItem(layers: boolean): A.BodyItem | undefined {
    const t = this.peek();
    if (t.kind !== 'ident') {
      this.errorAtToken(
        layers
          ? `Expected a layer, a setting (\`name: value\`), repeat, residual or train, found ${this.describe(t)}.`
          : `Expected a setting (\`name: value\`), found ${this.describe(t)}.`,
      );
      return undefined;
    }
    if (this.peek(1).kind === ':') return this.parseProperty();
    if (!layers) {
      this.errorAtToken(`Expected a setting (\`name: value\`), found ${this.describe(t)}; add ':' and a value.`);
      return undefined;
    }
    if (t.text === 'repeat') return this.parseRepeat();
    if (t.text === 'residual') return this.parseResidual();
    if (t.text === 'train' && this.peek(1).kind === '{') return this.parseTrain();
    return this.parseLayerCall();
  }

  private parseProperty(): A.Property {
    const key = this.next();
    this.next(); // ':'
    const value = this.parseExpr();
    this.expectLineEnd();
    return { kind: 'property', key: { name: key.text, range: key.range }, value, range: { start: key.range.start, end: value.range.end } };
  }

  /** After a setting, only a newline, `}` or the end may follow. */
  private expectLineEnd(): void {
    if (this.at('newline') || this.at('}') || this.at('eof')) return;
    this.errorAtToken(`Expected the end of the line after this value, found ${this.describe(this.peek())}.`);
    this.recoverToNextLine();
  }

  private parseRepeat(): A.RepeatStmt {
    const kw = this.next();
    const count = this.at('{')
      ? (this.errorAtToken('Expected a count after `repeat`, e.g. `repeat 4 { ... }`.'), { kind: 'error' as const, range: kw.range })
      : this.parseExpr();
    const body: A.BodyItem[] = [];
    const end = this.parseBraced('repeat', (item) => this.layerOnly(item, body, 'repeat'), true);
    return { kind: 'repeat', keyword: kw.range, count, body, range: { start: kw.range.start, end } };
  }

  private parseResidual(): A.ResidualStmt {
    const kw = this.next();
    const args = this.at('(') ? this.parseArgs() : [];
    const body: A.BodyItem[] = [];
    const end = this.parseBraced('residual', (item) => this.layerOnly(item, body, 'residual'), true);
    return { kind: 'residual', keyword: kw.range, args, body, range: { start: kw.range.start, end } };
  }

  private layerOnly(item: A.BodyItem, body: A.BodyItem[], what: string): void {
    if (item.kind === 'property' || item.kind === 'train') {
      this.error(`A ${what} body holds layers only; move this ${item.kind === 'train' ? 'train section' : 'setting'} to the model.`, item.range);
    } else body.push(item);
  }

  private parseTrain(): A.TrainSection {
    const kw = this.next();
    const props: A.Property[] = [];
    const end = this.parseBraced('train', (item) => {
      if (item.kind === 'property') props.push(item);
      else this.error('A train section holds settings such as `epochs: 10`, not layers.', item.range);
    }, false);
    return { kind: 'train', keyword: kw.range, props, range: { start: kw.range.start, end } };
  }

  private parseLayerCall(): A.LayerCall {
    const name = this.next();
    const id = { name: name.text, range: name.range };
    if (!this.at('(')) return { kind: 'layer', name: id, range: name.range };
    const args = this.parseArgs();
    return { kind: 'layer', name: id, args, range: { start: name.range.start, end: this.prevEnd() } };
  }

  // ---- arguments and expressions ------------------------------------------

  private parseArgs(): A.Argument[] {
    this.next(); // '('
    const args: A.Argument[] = [];
    this.parseDelimited(')', 'arguments', () => {
      const start = this.peek().range.start;
      let name: A.Identifier | undefined;
      if (this.at('ident') && (this.peek(1).kind === ':' || this.peek(1).kind === '=')) {
        const t = this.next();
        name = { name: t.text, range: t.range };
        this.next();
      }
      const value = this.parseExpr();
      args.push({ name, value, range: { start, end: value.range.end } });
      return value.kind !== 'error';
    });
    return args;
  }

  /**
   * Items separated by commas up to `close`. A newline where a comma or `close` was
   * expected ends the list with an error at the end of the previous line.
   */
  private parseDelimited(close: ')' | ']', what: string, item: () => boolean): void {
    const open = this.tokens[this.i - 1];
    if (++this.depth > MAX_DEPTH) {
      this.error(`Nesting deeper than ${MAX_DEPTH} levels is not supported: flatten the expression.`, open.range, 'nesting-too-deep');
      this.depth--;
      this.recoverToNextLine();
      return;
    }
    try {
      this.skipNewlines();
      if (this.eat(close)) return;
      for (;;) {
        if (this.at('eof') || this.at('}')) {
          this.error(`Expected '${close}' to close these ${what}.`, open.range, 'unclosed-bracket');
          return;
        }
        if (!item()) {
          this.skipWithin(close);
          if (this.eat(close)) return;
          if (!this.at(',')) {
            return;
          }
        }
        const sawNewline = this.at('newline');
        const after = this.peekPastNewlines();
        if (after.kind === ',') {
          this.skipNewlines();
          this.next();
          this.skipNewlines();
          if (this.eat(close)) return; // trailing comma
          continue;
        }
        if (after.kind === close) {
          this.skipNewlines();
          this.next();
          return;
        }
        if (sawNewline || after.kind === 'eof' || after.kind === '}') {
          this.error(`Expected '${close}' to close these ${what}: add it at the end of this line.`, { start: this.prevEnd(), end: this.prevEnd() }, 'unclosed-bracket');
          return;
        }
        // Same line, no comma: the user most likely forgot one; report and read on.
        this.errorAtToken(`Expected ',' or '${close}' in ${what}, found ${this.describe(after)}.`);
      }
    } finally {
      this.depth--;
    }
  }

  /** Skips a broken item inside brackets, stopping at `,`, `close` or a line break. */
  private skipWithin(close: ')' | ']'): void {
    let depth = 0;
    while (!this.at('eof')) {
      const t = this.peek();
      if (depth === 0 && (t.kind === ',' || t.kind === close || t.kind === 'newline' || t.kind === '}')) return;
      if (t.kind === '(' || t.kind === '[') depth++;
      if (t.kind === ')' || t.kind === ']') {
        if (depth === 0) return;
        depth--;
      }
      if (t.kind === 'newline' || t.kind === '}') return;
      this.next();
    }
  }

  parseExpr(): A.Expr {
    return this.parseAdditive();
  }

  private parseAdditive(): A.Expr {
    let left = this.parseMultiplicative();
    while (this.at('+') || this.at('-')) {
      const op = this.next().kind as '+' | '-';
      const right = this.parseMultiplicative();
      left = { kind: 'binary', op, left, right, range: { start: left.range.start, end: right.range.end } };
    }
    return left;
  }

  private parseMultiplicative(): A.Expr {
    let left = this.parseUnary();
    while (this.at('*') || this.at('/')) {
      const op = this.next().kind as '*' | '/';
      const right = this.parseUnary();
      left = { kind: 'binary', op, left, right, range: { start: left.range.start, end: right.range.end } };
    }
    return left;
  }

  private parseUnary(): A.Expr {
    if (this.at('-')) {
      const minus = this.next();
      if (++this.depth > MAX_DEPTH) {
        this.depth--;
        this.error('Too many nested signs.', minus.range, 'nesting-too-deep');
        return { kind: 'error', range: minus.range };
      }
      const operand = this.parseUnary();
      this.depth--;
      return { kind: 'unary', op: '-', operand, range: { start: minus.range.start, end: operand.range.end } };
    }
    return this.parsePrimary();
  }

  private parsePrimary(): A.Expr {
    const t = this.peek();
    switch (t.kind) {
      case 'number':
        this.next();
        return { kind: 'number', value: numberValue(t.text), raw: t.text, range: t.range };
      case 'string':
        this.next();
        return { kind: 'string', value: unquote(t.text), range: t.range };
      case 'ident': {
        this.next();
        if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true', range: t.range };
        if (this.at('(')) {
          const args = this.parseArgs();
          return { kind: 'call', callee: { name: t.text, range: t.range }, args, range: { start: t.range.start, end: this.prevEnd() } };
        }
        return { kind: 'name', name: t.text, range: t.range };
      }
      case '[': {
        this.next();
        const items: A.Expr[] = [];
        this.parseDelimited(']', 'list items', () => {
          const e = this.parseExpr();
          items.push(e);
          return e.kind !== 'error';
        });
        return { kind: 'list', items, range: { start: t.range.start, end: this.prevEnd() } };
      }
      case '(': {
        this.next();
        let inner: A.Expr = { kind: 'error', range: t.range };
        this.parseDelimited(')', 'parentheses', () => {
          inner = this.parseExpr();
          return inner.kind !== 'error';
        });
        return inner;
      }
      default:
        this.errorAtToken(`Expected a value (a number, string, name or [list]), found ${this.describe(t)}.`);
        return { kind: 'error', range: t.kind === 'newline' || t.kind === 'eof' ? { start: this.prevEnd(), end: this.prevEnd() } : t.range };
    }
  }
}

function unquote(raw: string): string {
  const body = raw.endsWith('"') && raw.length > 1 ? raw.slice(1, -1) : raw.slice(1);
  return body.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c));
}
