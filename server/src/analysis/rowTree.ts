import type { LayerRow } from './model';

/**
 * The estimator's rows as the tree they flatten: a group row (block use, residual, repeat)
 * owns the deeper rows after it. Engines and exporters walk this tree to build the same
 * graph the estimate counted.
 */
export interface RowNode {
  readonly row: LayerRow;
  readonly children: RowNode[];
}

export function rowTree(rows: readonly LayerRow[]): RowNode[] {
  const root: RowNode[] = [];
  const open: { depth: number; children: RowNode[] }[] = [{ depth: -1, children: root }];
  for (const row of rows) {
    while (open[open.length - 1].depth >= row.depth) open.pop();
    const node: RowNode = { row, children: [] };
    open[open.length - 1].children.push(node);
    if (row.kind === 'group') open.push({ depth: row.depth, children: node.children });
  }
  return root;
}

/** A repeat's group row is labelled `repeat N`. */
export function repeatCount(row: LayerRow): number | undefined {
  const m = row.kind === 'group' ? /^repeat (\d+)$/.exec(row.name) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * A repeat's children as copies: the first ones walked one by one, then, when the estimator
 * collapsed the last copies into one (their rows count `times` as many as the repeat), that
 * one copy and how many it stands for.
 */
export function repeatCopies(node: RowNode): { readonly walked: readonly RowNode[]; readonly collapsed?: { readonly nodes: readonly RowNode[]; readonly times: number } } {
  const count = node.row.count;
  const first = node.children.findIndex((c) => c.row.count !== count);
  if (first < 0) return { walked: node.children };
  const nodes = node.children.slice(first);
  const total = nodes[0].row.count;
  const times = total / count;
  if (!Number.isInteger(times) || nodes.some((c) => c.row.count !== total)) {
    throw new Error(`The collapsed copies of '${node.row.name}' on line ${node.row.range.start.line + 1} do not stand for a whole number of copies.`);
  }
  return { walked: node.children.slice(0, first), collapsed: { nodes, times } };
}
