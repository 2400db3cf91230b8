/**
 * Builds DOM with createElement and textContent only: every string that comes from a spec
 * or a CSV (model names, labels, paths, error messages) lands as text, never as markup.
 */
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, '').toLowerCase(), value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

export function append(parent: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    parent.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/** A table from a head row and string cells; `numeric` right-aligns columns. */
export function table(attrs: Attrs, head: readonly string[], rows: readonly (readonly Child[])[], numeric: readonly boolean[] = [], rowAttrs?: (i: number) => Attrs): HTMLTableElement {
  const cls = (i: number) => (numeric[i] ? 'num' : undefined);
  return h(
    'table',
    attrs,
    h('thead', {}, h('tr', {}, ...head.map((c, i) => h('th', { class: cls(i), scope: 'col' }, c)))),
    h('tbody', {}, ...rows.map((r, j) => h('tr', rowAttrs?.(j) ?? {}, ...r.map((c, i) => h('td', { class: cls(i) }, c))))),
  );
}
