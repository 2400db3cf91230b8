import { MAX_DIM } from '../catalog/common';
import type { ArgSpec, ArgValue, Args, LayerEntry, NestedLayer } from '../catalog/types';
import type { Range } from '../language/position';
import { sklearnName } from '../catalog/sklearnNames';
import { closestName } from '../util/suggest';
import type { DiagnosticSink } from './diagnostics';
import { describeValue, type EvaluatedArg, type Value } from './values';
import { clip } from '../util/clip';
import { withSeparators } from '../util/format';

export interface BoundArgs {
  readonly args: Args;
  /** Where each given argument was written, for pointing diagnostics at it. */
  readonly ranges: ReadonlyMap<string, Range>;
  /** False when an argument was wrong in a way that makes inference meaningless. */
  readonly ok: boolean;
}

export interface BindContext {
  readonly diags: DiagnosticSink;
  /** Finds the catalogue entry for a nested layer argument. */
  readonly layer: (name: string) => LayerEntry | undefined;
}

/**
 * Matches written arguments to an entry's specs: positional in spec order, then named;
 * checks names, types and ranges, and applies defaults. Every problem is reported with
 * the range of the argument concerned and, for names, a suggestion.
 */
export function bindArgs(
  owner: string,
  specs: readonly ArgSpec[],
  written: readonly EvaluatedArg[],
  callRange: Range,
  ctx: BindContext,
): BoundArgs {
  if (written.length === 0) {
    // No arguments written, the commonest call (relu, flatten, batchnorm): the defaults, or the missing ones.
    const d = defaultsOf(specs);
    if (!d.required) return { args: { ...d.values }, ranges: NO_RANGES, ok: true };
  }
  const { diags } = ctx;
  const values: Record<string, ArgValue | undefined> = {};
  // Most calls write few arguments and many write none: those share one empty map.
  const ranges = written.length ? new Map<string, Range>() : NO_RANGES;
  let ok = true;
  let position = 0;
  let sawNamed = false;

  for (let i = 0; i < written.length; i++) {
    const arg = written[i];
    let spec: ArgSpec | undefined;
    if (arg.name) {
      sawNamed = true;
      spec = specNamed(specs, arg.name.name);
      if (!spec) {
        const names = specs.map((s) => s.name).filter((n) => !ranges.has(n));
        const sklearn = sklearnName(owner, arg.name.name);
        if (sklearn) {
          // A twin already written is a duplicate after renaming: then the rename is not offered.
          const rename = sklearn.ours !== undefined && names.includes(sklearn.ours) ? sklearn.ours : undefined;
          diags.add(
            'unknown-argument',
            `${owner} has no argument '${arg.name.name}': ${sklearn.note}.${rename ? ` Rename it to '${rename}'.` : ''} It takes: ${specs.map((s) => s.name).join(', ')}.`,
            arg.name.range,
            { suggestions: rename ? [rename] : [], sklearn: arg.name.name },
          );
          continue;
        }
        const suggestion = closestName(arg.name.name, names);
        diags.add(
          'unknown-argument',
          `${owner} has no argument '${clip(arg.name.name)}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${specs.length ? ` It takes: ${specs.map((s) => s.name).join(', ')}.` : ' It takes no arguments.'}`,
          arg.name.range,
          { suggestions: suggestion ? [suggestion] : [] },
        );
        continue;
      }
    } else {
      if (sawNamed) {
        diags.add('positional-after-named', `Positional arguments must come before named ones; write \`name: value\` here.`, arg.range);
        ok = false;
        continue;
      }
      spec = specs[position++];
      if (!spec) {
        // The surplus is reported once, over all of it: a pasted list of thousands is one mistake, not thousands.
        let last = i;
        while (last + 1 < written.length && !written[last + 1].name) last++;
        reportSurplus(diags, owner, specs, last - i + 1, { start: arg.range.start, end: written[last].range.end });
        i = last;
        continue;
      }
    }
    if (ranges.has(spec.name)) {
      diags.add('duplicate-argument', `'${spec.name}' is given more than once; keep one.`, arg.range);
      continue;
    }
    (ranges as Map<string, Range>).set(spec.name, arg.range);
    const v = convert(owner, spec, arg.value, ctx);
    if (v === undefined) ok = false;
    else values[spec.name] = v;
  }

  // A written argument is in `ranges` whether or not it converted: only the others get defaults.
  for (const spec of specs) {
    if (ranges.has(spec.name)) continue;
    if (spec.required) {
      diags.add('missing-argument', `${owner} needs '${spec.name}': ${lowerFirst(spec.doc)}`, callRange, {
        argument: spec.name,
        insertText: `${spec.name}: `,
      });
      ok = false;
    } else if (spec.default !== undefined) values[spec.name] = spec.default;
  }
  return { args: values, ranges, ok };
}

function reportSurplus(diags: DiagnosticSink, owner: string, specs: readonly ArgSpec[], count: number, range: Range): void {
  const takes = specs.length
    ? `${owner} takes at most ${specs.length} positional argument${specs.length === 1 ? '' : 's'} (${specs.map((s) => s.name).join(', ')})`
    : `${owner} takes no arguments`;
  const advice = count === 1 ? (specs.length ? 'remove this one or name it' : 'remove this one') : `${withSeparators(count)} surplus arguments: remove them${specs.length ? ' or name the ones meant' : ''}`;
  diags.add('too-many-arguments', `${takes}; ${advice}.`, range, { surplus: count });
}

/** Each argument list's defaults, in spec order, and whether any argument is required. */
const defaults = new WeakMap<readonly ArgSpec[], { readonly values: Readonly<Record<string, ArgValue>>; readonly required: boolean }>();

export function defaultsOf(specs: readonly ArgSpec[]): { readonly values: Readonly<Record<string, ArgValue>>; readonly required: boolean } {
  let d = defaults.get(specs);
  if (!d) {
    const values: Record<string, ArgValue> = {};
    for (const spec of specs) if (!spec.required && spec.default !== undefined) values[spec.name] = spec.default;
    defaults.set(specs, (d = { values, required: specs.some((s) => s.required) }));
  }
  return d;
}

const NO_RANGES: ReadonlyMap<string, Range> = new Map();

function specNamed(specs: readonly ArgSpec[], name: string): ArgSpec | undefined {
  for (const s of specs) if (s.name === name) return s;
  return undefined;
}

function lowerFirst(s: string): string {
  return s.length ? s[0].toLowerCase() + s.slice(1) : s;
}

/** Converts one value to its spec's type, reporting type, enum and range problems. */
export function convert(owner: string, spec: ArgSpec, v: Value, ctx: BindContext): ArgValue | undefined {
  const { diags } = ctx;
  if (holdsError(v)) return undefined;
  switch (spec.type) {
    case 'int':
    case 'number': {
      if (v.kind !== 'number') return reportType(diags, owner, spec, v, spec.type === 'int' ? 'a whole number' : 'a number');
      if (!Number.isFinite(v.value)) return reportType(diags, owner, spec, v, 'a finite number');
      if (spec.type === 'int' && !Number.isInteger(v.value)) return reportType(diags, owner, spec, v, 'a whole number');
      return checkRange(owner, spec, v.value, v.range, diags) ? v.value : undefined;
    }
    case 'bool':
      return v.kind === 'bool' ? v.value : reportType(diags, owner, spec, v, 'true or false');
    case 'string':
      return v.kind === 'string' ? v.value : reportType(diags, owner, spec, v, 'a string in double quotes');
    case 'enum': {
      const allowed = spec.values ?? [];
      if (v.kind === 'string' && allowed.includes(v.value)) return v.value;
      if (v.kind !== 'ident') return reportType(diags, owner, spec, v, `one of ${allowed.join(', ')}`);
      if (allowed.includes(v.name)) return v.name;
      const suggestion = closestName(v.name, [...allowed]);
      diags.add(
        'unknown-value',
        `'${clip(v.name)}' is not a valid ${spec.name} for ${owner}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Allowed: ${allowed.join(', ')}.`,
        v.range,
        { suggestions: suggestion ? [suggestion] : [], allowed },
      );
      return undefined;
    }
    case 'int_pair': {
      if (v.kind === 'number') {
        if (!Number.isInteger(v.value)) return reportType(diags, owner, spec, v, 'a whole number or a pair [h, w]');
        return checkRange(owner, spec, v.value, v.range, diags) ? [v.value, v.value] : undefined;
      }
      const items = v.kind === 'list' ? v.items : [v];
      if (items.length < 1 || items.length > 2) return reportType(diags, owner, spec, v, 'a whole number or a pair [h, w]');
      const out: number[] = [];
      for (const item of items) {
        if (item.kind !== 'number' || !Number.isInteger(item.value)) return reportType(diags, owner, spec, v, 'a whole number or a pair [h, w]');
        if (!checkRange(owner, spec, item.value, item.range, diags)) return undefined;
        out.push(item.value);
      }
      return out.length === 1 ? [out[0], out[0]] : out;
    }
    case 'padding':
      return convertPadding(owner, spec, v, ctx);
    case 'shape': {
      if (v.kind !== 'list') return reportType(diags, owner, spec, v, 'a list of whole numbers such as [8, 8, 1]');
      const out: number[] = [];
      for (const item of v.items) {
        if (item.kind !== 'number' || !Number.isInteger(item.value)) return reportType(diags, owner, spec, v, 'a list of whole numbers such as [8, 8, 1]');
        if (item.value === -1 && spec.min === -1) {
          out.push(-1);
          continue;
        }
        if (item.value < 1) {
          diags.add('value-out-of-range', `Every size in '${spec.name}' must be at least 1; found ${item.value}.`, item.range);
          return undefined;
        }
        if (item.value > MAX_DIM) {
          diags.add('size-overflow', `${item.value} is larger than any tensor axis can be (at most 2^40).`, item.range);
          return undefined;
        }
        out.push(item.value);
      }
      if (out.length === 0) return reportType(diags, owner, spec, v, 'a non-empty list of sizes');
      return out;
    }
    case 'enum_list': {
      if (v.kind !== 'list') return reportType(diags, owner, spec, v, `a list such as [${(spec.values ?? []).slice(0, 2).join(', ')}]`);
      const out: string[] = [];
      for (const item of v.items) {
        const one = convert(owner, { ...spec, type: 'enum' }, item, ctx);
        if (typeof one !== 'string') return undefined;
        out.push(one);
      }
      return out;
    }
    case 'reference':
      return v.kind === 'ident' ? v.name : reportType(diags, owner, spec, v, 'a name declared in this file');
    case 'layer': {
      const call = v.kind === 'call' ? v : v.kind === 'ident' ? { name: v.name, nameRange: v.range, args: [], range: v.range } : undefined;
      if (!call) return reportType(diags, owner, spec, v, `a layer such as ${(spec.layers ?? ['lstm'])[0]}(64)`);
      const entry = ctx.layer(call.name);
      if (!entry || (spec.layers && !spec.layers.includes(call.name))) {
        const options = spec.layers ?? [];
        const suggestion = closestName(call.name, [...options]);
        diags.add(
          'unknown-layer',
          `'${clip(call.name)}' cannot be wrapped by ${owner}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} It wraps: ${options.join(', ')}.`,
          call.nameRange,
          { suggestions: suggestion ? [suggestion] : [] },
        );
        return undefined;
      }
      const bound = bindArgs(entry.name, entry.args, call.args, call.range, ctx);
      if (!bound.ok) return undefined;
      const nested: NestedLayer = { entry, args: bound.args, range: call.range };
      return nested;
    }
  }
}

/**
 * Padding: a named mode from `values` (`valid`, `same`), or explicit sizes. A number stays a
 * number, `[a]` becomes `a`, `[a, b]` stays a pair and `[[a, b], [c, d]]` becomes [a, b, c, d];
 * which of these a layer accepts for its rank, it decides and reports itself.
 */
function convertPadding(owner: string, spec: ArgSpec, v: Value, ctx: BindContext): ArgValue | undefined {
  const named = spec.values ?? [];
  const expected = `${named.length ? `${named.join(', ')}, ` : ''}a whole number, a pair [h, w] or [[top, bottom], [left, right]]`;
  if (v.kind === 'ident' || (v.kind === 'string' && named.includes(v.value))) {
    if (!named.length) return reportType(ctx.diags, owner, spec, v, expected);
    return convert(owner, { ...spec, type: 'enum' }, v, ctx);
  }
  const size = (item: Value): number | undefined => {
    if (item.kind !== 'number' || !Number.isInteger(item.value)) {
      reportType(ctx.diags, owner, spec, v, expected);
      return undefined;
    }
    return checkRange(owner, spec, item.value, item.range, ctx.diags) ? item.value : undefined;
  };
  if (v.kind === 'number') return size(v);
  if (v.kind !== 'list' || v.items.length < 1 || v.items.length > 2) return reportType(ctx.diags, owner, spec, v, expected);
  const out: number[] = [];
  if (v.items.every((item) => item.kind === 'list')) {
    for (const item of v.items) {
      if (item.kind !== 'list' || item.items.length !== 2 || v.items.length !== 2) return reportType(ctx.diags, owner, spec, v, expected);
      for (const inner of item.items) {
        const n = size(inner);
        if (n === undefined) return undefined;
        out.push(n);
      }
    }
    return out;
  }
  for (const item of v.items) {
    const n = size(item);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out.length === 1 ? out[0] : out;
}

/** Reports a value of the wrong type; returns undefined, the conversion's result. */
/**
 * Whether a value is, or a list holds, an error: one already reported where it arose, or a
 * block parameter standing for a value met per use (`reshape([n, -1])` in a block body).
 */
function holdsError(v: Value): boolean {
  const pending: Value[] = [v];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.kind === 'error') return true;
    if (next.kind === 'list') for (const item of next.items) pending.push(item);
  }
  return false;
}

function reportType(diags: DiagnosticSink, owner: string, spec: ArgSpec, v: Value, expected: string): undefined {
  diags.add('argument-type', `'${spec.name}' of ${owner} must be ${expected}, not ${describeValue(v)}.`, v.range);
  return undefined;
}

function checkRange(owner: string, spec: ArgSpec, value: number, range: Range, diags: DiagnosticSink): boolean {
  const { min, max } = spec;
  const belowMin = min !== undefined && (spec.minExclusive ? value <= min : value < min);
  const aboveMax = max !== undefined && (spec.maxExclusive ? value >= max : value > max);
  if (aboveMax && max !== undefined && max >= MAX_DIM) {
    diags.add('size-overflow', `'${spec.name}' = ${value} is beyond any trainable size (at most 2^40 ≈ 1.1e12); use a realistic value.`, range);
    return false;
  }
  if (belowMin || aboveMax) {
    diags.add('value-out-of-range', `'${spec.name}' of ${owner} must be ${describeRange(spec)}; found ${value}.`, range, {
      min: spec.min,
      max: spec.max,
    });
    return false;
  }
  return true;
}

/** A bound as people read it: the size limit as 2^40 (and its negative), not 1099511627776. */
function bound(value: number): string {
  return value >= MAX_DIM ? '2^40' : value <= -MAX_DIM ? '−2^40' : String(value);
}

export function describeRange(spec: ArgSpec): string {
  const lo = spec.min === undefined ? undefined : `${spec.minExclusive ? '>' : '≥'} ${bound(spec.min)}`;
  const hi = spec.max === undefined ? undefined : `${spec.maxExclusive ? '<' : '≤'} ${bound(spec.max)}`;
  if (spec.min !== undefined && spec.max !== undefined) {
    return `in ${spec.minExclusive ? '(' : '['}${bound(spec.min)}, ${bound(spec.max)}${spec.maxExclusive ? ')' : ']'}`;
  }
  return lo ?? hi ?? 'any value';
}
