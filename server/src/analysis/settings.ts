import type { ArgValue, CallSpec, PropertySpec } from '../catalog/types';
import type * as A from '../language/ast';
import type { Range } from '../language/position';
import { closestName } from '../util/suggest';
import { bindArgs, convert, defaultsOf, type BindContext } from './args';
import { evaluate, type Env, type Value } from './values';
import { clip } from '../util/clip';

export interface BoundCall {
  readonly name: string;
  readonly args: Readonly<Record<string, ArgValue | undefined>>;
  readonly range: Range;
}

export interface BoundSettings {
  /** Converted values, defaults applied. */
  readonly values: Readonly<Record<string, ArgValue | undefined>>;
  /** Call-valued settings (optimizer: adam(...)) with their bound arguments. */
  readonly calls: Readonly<Record<string, BoundCall>>;
  /** Each setting as first written, with its evaluated value (for settings the caller interprets itself, such as a dataset's source). */
  readonly written: ReadonlyMap<string, WrittenSetting>;
}

export interface WrittenSetting {
  readonly prop: A.Property;
  readonly raw: Value;
}

const NONE_CUSTOM: ReadonlySet<string> = new Set();
const NOTHING_WRITTEN: ReadonlyMap<string, WrittenSetting> = new Map();

/**
 * Validates `key: value` settings against their specs. Keys listed in `custom` are only
 * evaluated (their caller checks them); every other key is converted like an argument.
 */
export function bindSettings(
  section: string,
  specs: readonly PropertySpec[],
  props: readonly A.Property[],
  env: Env,
  ctx: BindContext,
  custom: ReadonlySet<string> = NONE_CUSTOM,
): BoundSettings {
  const { diags } = ctx;
  // Defaults first, overwritten by what converts: every result of one section has the same
  // property layout, and a written value that failed to convert (reported) leaves its
  // default, so later stages always see a value of the right type.
  const values: Record<string, ArgValue | undefined> = { ...defaultsOf(specs).values };
  const calls: Record<string, BoundCall> = {};
  const written = props.length ? new Map<string, WrittenSetting>() : NOTHING_WRITTEN;
  for (const prop of props) {
    const key = prop.key.name;
    const spec = specNamed(specs, key);
    if (!spec) {
      const suggestion = closestName(key, specs.map((s) => s.name));
      diags.add(
        'unknown-property',
        `${section} has no setting '${clip(key)}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Settings: ${specs.map((s) => s.name).join(', ')}.`,
        prop.key.range,
        { suggestions: suggestion ? [suggestion] : [] },
      );
      continue;
    }
    if (written.has(key)) {
      diags.add('duplicate-property', `'${clip(key)}' is set more than once in ${section}; keep one.`, prop.range);
      continue;
    }
    const value = evaluate(prop.value, env, diags);
    (written as Map<string, WrittenSetting>).set(key, { prop, raw: value });
    if (custom.has(key)) continue;
    if (value.kind === 'call' && spec.calls) {
      const call = bindCall(spec.name, spec.calls, value, ctx);
      if (call) {
        calls[key] = call;
        values[key] = call.name;
      }
      continue;
    }
    const converted = convert(section, spec, value, ctx);
    if (converted !== undefined) values[key] = converted;
  }
  return { values, calls, written };
}

function specNamed<T extends { readonly name: string }>(specs: readonly T[], name: string): T | undefined {
  for (const s of specs) if (s.name === name) return s;
  return undefined;
}

function bindCall(setting: string, specs: readonly CallSpec[], value: Extract<Value, { kind: 'call' }>, ctx: BindContext): BoundCall | undefined {
  const spec = specNamed(specs, value.name);
  if (!spec) {
    const suggestion = closestName(value.name, specs.map((c) => c.name));
    ctx.diags.add(
      'unknown-value',
      `'${clip(value.name)}' is not a valid ${setting}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Allowed: ${specs.map((c) => c.name).join(', ')}.`,
      value.nameRange,
      { suggestions: suggestion ? [suggestion] : [] },
    );
    return undefined;
  }
  const bound = bindArgs(spec.name, spec.args, value.args, value.range, ctx);
  return { name: spec.name, args: bound.args, range: value.range };
}
