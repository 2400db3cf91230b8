import { lastDim, PREFIX, single, singleShape, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

/**
 * ViT's class token: one learned d-vector put in front of every [T, d] sequence of the
 * batch, making it [T+1, d].
 */
export function defineClassToken(tf: TF) {
  return class ClassToken extends tf.layers.Layer {
    static className = `${PREFIX}ClassToken`;
    private token?: LayerVariable;

    override build(inputShape: LayerShape | LayerShape[]): void {
      // Hugging Face's ViT draws its class token from N(0, 0.02²), as the position table here.
      this.token = this.addWeight('token', [lastDim(singleShape(inputShape))], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 0.02 }));
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        const [batch, , width] = x.shape;
        const token = tf.broadcastTo(tf.reshape(this.token!.read(), [1, 1, width]), [batch, 1, width]);
        return tf.concat([token, x], 1);
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      const [batch, steps, width] = singleShape(inputShape);
      return [batch, steps === null ? null : steps + 1, width];
    }

    override getConfig(): ConfigDict {
      return super.getConfig();
    }
  };
}

export interface TakeTokenArgs extends LayerArgs {
  index: number;
}

/** One position of a [T, d] sequence, [d]; a negative index counts from the end. */
export function defineTakeToken(tf: TF) {
  return class TakeToken extends tf.layers.Layer {
    static className = `${PREFIX}TakeToken`;
    readonly index: number;

    constructor(args: TakeTokenArgs) {
      super(args);
      this.index = args.index;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        const [batch, steps, width] = x.shape;
        const at = this.index < 0 ? steps + this.index : this.index;
        if (at < 0 || at >= steps) throw new Error(`${this.name}: position ${this.index} of a sequence of ${steps}.`);
        return tf.reshape(tf.slice(x, [0, at, 0], [batch, 1, width]), [batch, width]);
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      const shape = singleShape(inputShape);
      return [shape[0], shape[2]];
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), index: this.index };
    }
  };
}

export interface TokenTypeEmbeddingArgs extends LayerArgs {
  types: number;
}

/**
 * BERT's segment embeddings for a model with one input: every token has type 0, so row 0
 * of the [types, d] table is added to every position. The other rows are weights all the
 * same, as in BERT, so that the count and a checkpoint's table match.
 */
export function defineTokenTypeEmbedding(tf: TF) {
  return class TokenTypeEmbedding extends tf.layers.Layer {
    static className = `${PREFIX}TokenTypeEmbedding`;
    readonly types: number;
    private table?: LayerVariable;

    constructor(args: TokenTypeEmbeddingArgs) {
      super(args);
      this.types = args.types;
    }

    override build(inputShape: LayerShape | LayerShape[]): void {
      // BERT initialises its embedding tables from N(0, 0.02²).
      this.table = this.addWeight('embeddings', [this.types, lastDim(singleShape(inputShape))], 'float32', tf.initializers.randomNormal({ mean: 0, stddev: 0.02 }));
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const x = single(inputs);
        const width = x.shape[x.shape.length - 1];
        return tf.add(x, tf.slice(this.table!.read(), [0, 0], [1, width]));
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      return inputShape;
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), types: this.types };
    }
  };
}
