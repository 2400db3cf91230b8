import type { ArgValue, CallSpec, PropertySpec } from '../catalog/types';
import type * as A from '../language/ast';
import type { Range } from '../language/position';
import { closestName } from '../util/suggest';
import { bindArgs, convert, type BindContext } from './args';
import { evaluate, type Env, type Value } from './values';

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
  /** Raw evaluated values, for settings the caller interprets itself (dataset source). */
  readonly raw: ReadonlyMap<string, Value>;
  /** Range of each written setting's value. */
  readonly ranges: ReadonlyMap<string, Range>;
  readonly keys: ReadonlyMap<string, Range>;
}

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
  custom: ReadonlySet<string> = new Set(),
): BoundSettings {
  const { diags } = ctx;
  const values: Record<string, ArgValue | undefined> = {};
  const calls: Record<string, BoundCall> = {};
  const raw = new Map<string, Value>();
  const ranges = new Map<string, Range>();
  const keys = new Map<string, Range>();
  for (const prop of props) {
    const key = prop.key.name;
    const spec = specs.find((s) => s.name === key);
    if (!spec) {
      const suggestion = closestName(key, specs.map((s) => s.name));
      diags.add(
        'unknown-property',
        `${section} has no setting '${key}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Settings: ${specs.map((s) => s.name).join(', ')}.`,
        prop.key.range,
        { suggestions: suggestion ? [suggestion] : [] },
      );
      continue;
    }
    if (keys.has(key)) {
      diags.add('duplicate-property', `'${key}' is set more than once in ${section}; keep one.`, prop.range);
      continue;
    }
    keys.set(key, prop.key.range);
    ranges.set(key, prop.value.range);
    const value = evaluate(prop.value, env, diags);
    raw.set(key, value);
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
  // A written value that failed to convert was reported; its default stands in, so later
  // stages always see a value of the right type.
  for (const spec of specs) {
    if (values[spec.name] === undefined && spec.default !== undefined) values[spec.name] = spec.default;
  }
  return { values, calls, raw, ranges, keys };
}

function bindCall(setting: string, specs: readonly CallSpec[], value: Extract<Value, { kind: 'call' }>, ctx: BindContext): BoundCall | undefined {
  const spec = specs.find((c) => c.name === value.name);
  if (!spec) {
    const suggestion = closestName(value.name, specs.map((c) => c.name));
    ctx.diags.add(
      'unknown-value',
      `'${value.name}' is not a valid ${setting}.${suggestion ? ` Did you mean '${suggestion}'?` : ''} Allowed: ${specs.map((c) => c.name).join(', ')}.`,
      value.nameRange,
      { suggestions: suggestion ? [suggestion] : [] },
    );
    return undefined;
  }
  const bound = bindArgs(spec.name, spec.args, value.args, value.range, ctx);
  return { name: spec.name, args: bound.args, range: value.range };
}
