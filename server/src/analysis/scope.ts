import { layerNames } from '../catalog/registry';
import type * as A from '../language/ast';
import type { DatasetInfo } from './model';

const DATASET = 0;
const BLOCK = 1;
const CYCLIC = 2;
const DATASET_NAMES = 3;
const BLOCK_NAMES = 4;

/** Built-in layer names first, so "did you mean" prefers them to a block of the same distance. */
const LAYER_NAMES: readonly string[] = layerNames();

/**
 * The file-wide facts one declaration's checks depend on: datasets and blocks by name,
 * the names declared (for "did you mean"), and which block uses close a cycle.
 */
export class Scope {
  private datasetNameList: string[] | undefined;
  private blockNameList: string[] | undefined;

  constructor(
    readonly datasets: ReadonlyMap<string, DatasetInfo>,
    readonly blocks: ReadonlyMap<string, A.BlockDecl>,
    readonly cyclic: ReadonlySet<A.LayerCall>,
  ) {}

  datasetNames(): string[] {
    return (this.datasetNameList ??= [...this.datasets.keys()]);
  }

  /** Layer and block names, the candidates for an unknown layer. */
  layerAndBlockNames(): string[] {
    return (this.blockNameList ??= [...LAYER_NAMES, ...this.blocks.keys()]);
  }

  /** A reader that records what it reads, so `stillReads` can tell later whether a result still holds. */
  reader(): Reader {
    return new Reader(this);
  }

  /** True when every read recorded (by a reader of an earlier scope) gives the same answer here. */
  stillReads(reads: readonly unknown[]): boolean {
    for (let i = 0; i < reads.length; i += 3) {
      const key = reads[i + 1];
      const answer = reads[i + 2];
      switch (reads[i]) {
        case DATASET:
          if (this.datasets.get(key as string) !== answer) return false;
          break;
        case BLOCK:
          if (this.blocks.get(key as string) !== answer) return false;
          break;
        case CYCLIC:
          if (this.cyclic.has(key as A.LayerCall) !== answer) return false;
          break;
        case DATASET_NAMES:
          if (!sameNames(this.datasetNames(), answer as string[])) return false;
          break;
        case BLOCK_NAMES:
          if (!sameNames(this.layerAndBlockNames(), answer as string[])) return false;
          break;
      }
    }
    return true;
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Reads a scope for one declaration's checks, recording each read as (kind, key, answer). */
export class Reader {
  readonly reads: unknown[] = [];

  constructor(private readonly scope: Scope) {}

  dataset(name: string): DatasetInfo | undefined {
    const d = this.scope.datasets.get(name);
    this.reads.push(DATASET, name, d);
    return d;
  }

  block(name: string): A.BlockDecl | undefined {
    const b = this.scope.blocks.get(name);
    this.reads.push(BLOCK, name, b);
    return b;
  }

  isCyclic(call: A.LayerCall): boolean {
    const c = this.scope.cyclic.has(call);
    this.reads.push(CYCLIC, call, c);
    return c;
  }

  datasetNames(): string[] {
    const names = this.scope.datasetNames();
    this.reads.push(DATASET_NAMES, undefined, names);
    return names;
  }

  layerAndBlockNames(): string[] {
    const names = this.scope.layerAndBlockNames();
    this.reads.push(BLOCK_NAMES, undefined, names);
    return names;
  }
}
