import { describeRange } from '../analysis/args';
import { catalogEntry } from '../catalog/registry';
import { DATASET_SETTINGS, MODEL_SETTINGS, OPTIMIZERS, RESIDUAL_ARGS, SYNTHETIC_CALL, TRAIN_SETTINGS } from '../catalog/settings';
import type { ArgSpec, ArgValue, PropertySpec } from '../catalog/types';
import { SYNTHETIC_KINDS } from '../data/synthetic';
import type * as A from '../language/ast';
import type { Range } from '../language/position';

/**
 * Everything that takes arguments, seen the same way by hover, completion and signature
 * help: catalogue layers and estimators, blocks, residual, optimizers and synthetic().
 * The text comes from the catalogue; nothing here describes a layer on its own.
 */
export interface Callable {
  readonly kind: 'layer' | 'estimator' | 'block' | 'residual' | 'optimizer' | 'synthetic';
  readonly name: string;
  readonly summary: string;
  /** Markdown. */
  readonly doc?: string;
  readonly params: readonly Param[];
}

export interface Param {
  readonly name: string;
  /** Catalogue type, or `value` for untyped block parameters. */
  readonly type: ArgSpec['type'] | 'value';
  readonly doc: string;
  readonly required: boolean;
  readonly spec?: ArgSpec;
  /** Written default (block parameters keep the expression's source form). */
  readonly defaultText?: string;
}

export type Section = 'dataset' | 'model' | 'train';

export const SECTION_SETTINGS: Readonly<Record<Section, readonly PropertySpec[]>> = {
  dataset: DATASET_SETTINGS,
  model: MODEL_SETTINGS,
  train: TRAIN_SETTINGS,
};

export function settingSpec(section: Section, key: string): PropertySpec | undefined {
  return SECTION_SETTINGS[section].find((s) => s.name === key);
}

/**
 * What `callee(...)` refers to. `settingKey` is the setting the call is the value of
 * (optimizer: adam(...), source: synthetic(...)); calls elsewhere are layers or blocks.
 */
export function callableFor(callee: string, blocks: ReadonlyMap<string, A.BlockDecl>, settingKey?: string, getText?: (range: Range) => string): Callable | undefined {
  if (settingKey === 'optimizer') {
    const o = OPTIMIZERS.find((c) => c.name === callee);
    return o ? { kind: 'optimizer', name: o.name, summary: o.doc, params: o.args.map(fromSpec) } : undefined;
  }
  if (settingKey === 'source') return callee === SYNTHETIC_CALL ? SYNTHETIC : undefined;
  if (settingKey !== undefined) return undefined;
  if (callee === 'residual') return RESIDUAL;
  const entry = catalogEntry(callee);
  if (entry) {
    // The catalogue does not change while the server runs, so each entry is described once.
    let c = catalogCallables.get(entry.name);
    if (!c) {
      c = { kind: entry.kind, name: entry.name, summary: entry.summary, doc: entry.doc, params: entry.args.map(fromSpec) };
      catalogCallables.set(entry.name, c);
    }
    return c;
  }
  const block = blocks.get(callee);
  if (block) {
    return {
      kind: 'block',
      name: block.name.name,
      summary: `Block ${block.name.name}, defined on line ${block.range.start.line + 1}.`,
      params: block.params.map((p) => ({
        name: p.name.name,
        type: 'value' as const,
        doc: p.default ? `Block parameter (default \`${getText ? getText(p.default.range) : '…'}\`).` : 'Block parameter (required).',
        required: !p.default,
        defaultText: p.default && getText ? getText(p.default.range) : undefined,
      })),
    };
  }
  return undefined;
}

const catalogCallables = new Map<string, Callable>();

function fromSpec(spec: ArgSpec): Param {
  return { name: spec.name, type: spec.type, doc: spec.doc, required: spec.required === true, spec, defaultText: spec.default === undefined ? undefined : formatValue(spec.default) };
}

const RESIDUAL: Callable = {
  kind: 'residual',
  name: 'residual',
  summary: 'out = x + f(x), where f is the body.',
  params: RESIDUAL_ARGS.map(fromSpec),
};

/** synthetic(...) binds one spec per argument name across all generators (as the checker does). */
const SYNTHETIC: Callable = (() => {
  const kinds = Object.keys(SYNTHETIC_KINDS) as (keyof typeof SYNTHETIC_KINDS)[];
  const params: Param[] = [
    fromSpec({
      name: 'kind',
      type: 'enum',
      values: kinds,
      required: true,
      doc: kinds.map((k) => `\`${k}\`: ${SYNTHETIC_KINDS[k].doc}`).join('\n\n'),
    }),
  ];
  const seen = new Set<string>();
  for (const k of kinds) {
    for (const a of SYNTHETIC_KINDS[k].args) {
      if (seen.has(a.name)) continue;
      seen.add(a.name);
      const users = kinds.filter((kk) => SYNTHETIC_KINDS[kk].args.some((x) => x.name === a.name));
      const defaults = users.map((u) => SYNTHETIC_KINDS[u].args.find((x) => x.name === a.name)!.default);
      const sameDefault = defaults.every((d) => d === defaults[0]);
      params.push(
        fromSpec({
          name: a.name,
          type: a.type,
          min: a.min,
          max: a.max,
          default: sameDefault ? defaults[0] : undefined,
          doc: `${a.doc}${users.length < kinds.length ? ` (${users.join(', ')} only)` : ''}${sameDefault ? '' : ` Default: ${users.map((u, i) => `${defaults[i]} for ${u}`).join(', ')}.`}`,
        }),
      );
    }
  }
  return { kind: 'synthetic', name: SYNTHETIC_CALL, summary: 'Generated data that trains in seconds without a download.', params };
})();

export function formatValue(v: ArgValue): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return (v as { entry: { name: string } }).entry.name;
}

/** `int` · default `1` · ≥ 1 · one of relu, … — the facts line of an argument or setting. */
export function describeParam(p: Param): string {
  const parts = [`\`${p.type === 'value' ? 'any value' : p.type}\``];
  if (p.required) parts.push('required');
  else if (p.defaultText !== undefined) parts.push(`default \`${p.defaultText}\``);
  else parts.push('optional');
  const spec = p.spec;
  if (spec && (spec.type === 'int' || spec.type === 'number' || spec.type === 'int_pair' || spec.type === 'padding') && (spec.min !== undefined || spec.max !== undefined)) parts.push(describeRange(spec));
  if (spec?.values?.length) parts.push(`one of ${spec.values.map((v) => `\`${v}\``).join(', ')}`);
  if (spec?.layers?.length) parts.push(`wraps ${spec.layers.map((v) => `\`${v}\``).join(', ')}`);
  return parts.join(' · ');
}

/** `conv2d(filters, kernel, stride = [1, 1], …)` */
export function signatureLabel(c: Callable): { label: string; offsets: [number, number][] } {
  let label = `${c.name}(`;
  const offsets: [number, number][] = [];
  c.params.forEach((p, i) => {
    if (i > 0) label += ', ';
    const text = p.required || p.defaultText === undefined ? p.name : `${p.name} = ${p.defaultText}`;
    offsets.push([label.length, label.length + text.length]);
    label += text;
  });
  return { label: label + ')', offsets };
}
