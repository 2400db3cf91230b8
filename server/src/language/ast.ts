import type { Range } from './position';
import type { Comment } from './tokens';

/** Syntax tree. Every node keeps its source range; nodes may be partial after errors. */

export interface Identifier {
  readonly name: string;
  readonly range: Range;
}

export type Expr = NumberLit | StringLit | BoolLit | NameRef | ListExpr | CallExpr | IndexExpr | BinaryExpr | UnaryExpr | ErrorExpr;

export interface NumberLit {
  readonly kind: 'number';
  readonly value: number;
  readonly raw: string;
  readonly range: Range;
}
export interface StringLit {
  readonly kind: 'string';
  readonly value: string;
  readonly range: Range;
}
export interface BoolLit {
  readonly kind: 'bool';
  readonly value: boolean;
  readonly range: Range;
}
/** A bare identifier: an enum value (relu, same), a reference (Digits), or a block parameter. */
export interface NameRef {
  readonly kind: 'name';
  readonly name: string;
  readonly range: Range;
}
export interface ListExpr {
  readonly kind: 'list';
  readonly items: Expr[];
  readonly range: Range;
}
export interface CallExpr {
  readonly kind: 'call';
  readonly callee: Identifier;
  readonly args: Argument[];
  readonly range: Range;
}
/** `in_shape[0]`: one item of a list, counted from 0 (negative from the end); `[` follows the name directly. */
export interface IndexExpr {
  readonly kind: 'index';
  readonly target: NameRef;
  readonly index: Expr;
  readonly range: Range;
}
export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly range: Range;
}
export type ArithmeticOp = '+' | '-' | '*' | '/';
export type ComparisonOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type BinaryOp = ArithmeticOp | ComparisonOp | 'and' | 'or';
export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: '-' | 'not';
  readonly operand: Expr;
  readonly range: Range;
}
/** Stands where an expression was expected but could not be read (already reported). */
export interface ErrorExpr {
  readonly kind: 'error';
  readonly range: Range;
}

export interface Argument {
  readonly name?: Identifier;
  readonly value: Expr;
  readonly range: Range;
}

export interface Property {
  readonly kind: 'property';
  readonly key: Identifier;
  readonly value: Expr;
  readonly range: Range;
}

/** `conv2d(16, kernel: 3)` or `flatten`; `args` is undefined when written without parentheses. */
export interface LayerCall {
  readonly kind: 'layer';
  readonly name: Identifier;
  readonly args?: Argument[];
  readonly range: Range;
}

export interface RepeatStmt {
  readonly kind: 'repeat';
  readonly keyword: Range;
  readonly count: Expr;
  readonly body: BodyItem[];
  readonly range: Range;
}

export interface ResidualStmt {
  readonly kind: 'residual';
  readonly keyword: Range;
  readonly args: Argument[];
  readonly body: BodyItem[];
  readonly range: Range;
}

/** `concat { {path} {path} … }`: the paths read the same input; their outputs join on the last axis. */
export interface ConcatStmt {
  readonly kind: 'concat';
  readonly keyword: Range;
  readonly paths: ConcatPath[];
  readonly range: Range;
}

/** One path of a concat, written `{ layers }`; `{ }` passes the input through. */
export interface ConcatPath {
  readonly body: BodyItem[];
  readonly range: Range;
}

/** `if condition { … } else { … }`, decided while the model is checked, per block use. */
export interface IfStmt {
  readonly kind: 'if';
  readonly keyword: Range;
  readonly condition: Expr;
  readonly body: BodyItem[];
  readonly elseKeyword?: Range;
  readonly elseBody?: BodyItem[];
  readonly range: Range;
}

export interface TrainSection {
  readonly kind: 'train';
  readonly keyword: Range;
  readonly props: Property[];
  readonly range: Range;
}

export type LayerItem = LayerCall | RepeatStmt | ResidualStmt | ConcatStmt | IfStmt;
export type BodyItem = LayerItem | Property | TrainSection;

export interface DatasetDecl {
  readonly kind: 'dataset';
  readonly name: Identifier;
  readonly props: Property[];
  readonly range: Range;
}

export interface BlockParam {
  readonly name: Identifier;
  readonly default?: Expr;
  readonly range: Range;
}

export interface BlockDecl {
  readonly kind: 'block';
  readonly name: Identifier;
  readonly params: BlockParam[];
  readonly body: BodyItem[];
  readonly range: Range;
}

export interface ModelDecl {
  readonly kind: 'model';
  readonly name: Identifier;
  readonly body: BodyItem[];
  readonly range: Range;
}

export interface CompareDecl {
  readonly kind: 'compare';
  readonly names: Identifier[];
  readonly range: Range;
}

export type Declaration = DatasetDecl | BlockDecl | ModelDecl | CompareDecl;

export interface SyntaxError {
  readonly code: string;
  readonly message: string;
  readonly range: Range;
}

export interface SourceFile {
  readonly declarations: Declaration[];
  readonly comments: Comment[];
  readonly errors: SyntaxError[];
  readonly lineCount: number;
}

/** The bodies nested in an item (a concat's paths, an if's branches), for walks that visit every layer written. */
export function nestedBodies(item: BodyItem): readonly (readonly BodyItem[])[] {
  switch (item.kind) {
    case 'repeat':
    case 'residual':
      return [item.body];
    case 'concat':
      return item.paths.map((p) => p.body);
    case 'if':
      return item.elseBody ? [item.body, item.elseBody] : [item.body];
    default:
      return NO_BODIES;
  }
}

const NO_BODIES: readonly (readonly BodyItem[])[] = [];
