import type * as A from '../language/ast';
import { nestedBodies } from '../language/ast';
import type { DiagnosticSink } from './diagnostics';
import { clip } from '../util/clip';

/**
 * Finds blocks that use each other in a cycle. Each cycle is reported once, at the call
 * that closes it; those calls are returned so expansion skips them instead of looping.
 */
export function findBlockCycles(blocks: ReadonlyMap<string, A.BlockDecl>, diags: DiagnosticSink): Set<A.LayerCall> {
  const cyclic = new Set<A.LayerCall>();
  const state = new Map<string, 'active' | 'done'>();
  const stack: string[] = [];

  const callsIn = (items: readonly A.BodyItem[], out: A.LayerCall[] = []): A.LayerCall[] => {
    for (const item of items) {
      if (item.kind === 'layer' && blocks.has(item.name.name)) out.push(item);
      else for (const body of nestedBodies(item)) callsIn(body, out);
    }
    return out;
  };

  // Iterative DFS: a chain of thousands of blocks must not overflow the stack.
  for (const start of blocks.keys()) {
    if (state.has(start)) continue;
    const frames: { name: string; calls: A.LayerCall[]; next: number }[] = [];
    const enter = (name: string) => {
      state.set(name, 'active');
      stack.push(name);
      frames.push({ name, calls: callsIn(blocks.get(name)!.body), next: 0 });
    };
    enter(start);
    while (frames.length) {
      const frame = frames[frames.length - 1];
      if (frame.next >= frame.calls.length) {
        state.set(frame.name, 'done');
        stack.pop();
        frames.pop();
        continue;
      }
      const call = frame.calls[frame.next++];
      const target = call.name.name;
      const s = state.get(target);
      if (s === 'active') {
        const cycle = [...stack.slice(stack.indexOf(target)), target];
        diags.add('block-cycle', `Blocks use each other in a cycle (${cycle.map((n) => clip(n)).join(' → ')}), which would never end; remove one of these uses.`, call.name.range);
        cyclic.add(call);
      } else if (s === undefined) enter(target);
    }
  }
  return cyclic;
}
