import { lastDim, PREFIX, single, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

export interface PositionalEmbeddingArgs extends LayerArgs {
  maxLen: number;
}

/**
 * Learned absolute positions (GPT-2's wpe): a [max_len, d] table whose first T rows are
 * added to a [T, d] sequence. The whole table is a weight even when T < max_len, as the
 * estimator counts it.
 */
export function definePositionalEmbedding(tf: TF) {
  return class PositionalEmbedding extends tf.layers.Layer {
    static className = `${PREFIX}PositionalEmbedding`;
    readonly maxLen: number;
    private table?: LayerVariable;

    constructor(args: PositionalEmbeddingArgs) {
      super(args);
      this.maxLen = args.maxLen;
    }

    override build(inputShape: LayerShape | LayerShape[]): void {
      const d = lastDim(inputShape as LayerShape);
      // GPT-2 draws its position table from N(0, 0.02²).
      this.table = this.addWeight('embeddings', [this.maxLen, d], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 0.02 }));
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        const [steps, width] = x.shape.slice(-2);
        if (steps > this.maxLen) throw new Error(`${this.name}: a sequence of ${steps} positions exceeds max_len ${this.maxLen}.`);
        return tf.add(x, tf.slice(this.table!.read(), [0, 0], [steps, width]));
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      return inputShape;
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), maxLen: this.maxLen };
    }
  };
}
