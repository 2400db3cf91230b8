import { pythonSource, sectionsWithDependencies } from './pythonSources';

/**
 * A Python template from export/python with its `{{NAME}}` slots filled. Every slot must be
 * given and every value used, so a template and its caller cannot drift apart unnoticed.
 */
export function fillTemplate(name: string, values: Readonly<Record<string, string>>): string {
  const text = pythonSource(name);
  const slots = new Set([...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]));
  for (const slot of slots) if (!(slot in values)) throw new Error(`${name}: no value for {{${slot}}}.`);
  for (const key of Object.keys(values)) if (!slots.has(key)) throw new Error(`${name} has no slot {{${key}}}.`);
  return text.replace(/\{\{(\w+)\}\}/g, (_, slot: string) => values[slot]);
}

/** The shared functions a train.py uses (train_common.py), pasted in so the project stands alone. */
export function commonFunctions(names: readonly string[]): string {
  return sectionsWithDependencies('train_common.py', names).join('\n\n\n');
}

/** A docstring's text: a backslash or three quotes in a name or path would end or escape it. */
export function docText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"""/g, '\\"\\"\\"');
}
