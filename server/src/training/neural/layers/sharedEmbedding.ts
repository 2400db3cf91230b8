import type * as tfTypes from '@tensorflow/tfjs';
import { PREFIX, single, singleShape, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

export interface SharedEmbeddingArgs extends LayerArgs {
  vocab: number;
  dim: number;
}

/**
 * An embedding that doubles as the tied output projection (GPT-2's lm_head = wteᵀ). The
 * same layer is called twice in the graph: on token ids it looks vectors up; on a pair
 * [x, ids] it returns x·Eᵀ. Being one shared layer, the table is one weight — counted,
 * trained and saved once — and a saved model reconnects both uses by itself: a layer that
 * merely pointed at the embedding would lose that link in model.json.
 */
export function defineSharedEmbedding(tf: TF) {
  return class SharedEmbedding extends tf.layers.Layer {
    static className = `${PREFIX}SharedEmbedding`;
    readonly vocab: number;
    readonly dim: number;
    private table?: LayerVariable;

    constructor(args: SharedEmbeddingArgs) {
      super(args);
      this.vocab = args.vocab;
      this.dim = args.dim;
    }

    override build(_inputShape: LayerShape | LayerShape[]): void {
      // Keras's embedding initialiser, U(-0.05, 0.05).
      this.table = this.addWeight('embeddings', [this.vocab, this.dim], 'float32', tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05 }));
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const table = this.table!.read() as tfTypes.Tensor2D;
        // tfjs hands a single input over as a one-element list at times; the tied use is the pair.
        if (Array.isArray(inputs) && inputs.length === 2) {
          const x = inputs[0];
          const flat = tf.reshape(x, [-1, this.dim]) as tfTypes.Tensor2D;
          return tf.reshape(tf.matMul(flat, table, false, true), [...x.shape.slice(0, -1), this.vocab]);
        }
        const ids = tf.cast(single(inputs), 'int32');
        return tf.reshape(tf.gather(table, tf.reshape(ids, [-1])), [...ids.shape, this.dim]);
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      if (Array.isArray(inputShape[0]) && inputShape.length === 2) return [...singleShape(inputShape).slice(0, -1), this.vocab];
      return [...singleShape(inputShape), this.dim];
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), vocab: this.vocab, dim: this.dim };
    }
  };
}

/**
 * The tied use of a shared embedding: called on [x, ids], it projects x onto the
 * vocabulary. The ids (the embedding's own first input) only mark the call as the tied
 * one; a pair [x, x] would do the same but breaks tfjs's executor, which counts a tensor's
 * consumers once per layer yet releases it once per use, and so frees x early when another
 * layer (a residual's skip, say) still needs it.
 */
export function tiedOutput(embedding: tfTypes.layers.Layer, x: tfTypes.SymbolicTensor): tfTypes.SymbolicTensor {
  if (embedding.getClassName() !== `${PREFIX}SharedEmbedding`) throw new Error(`A tied output needs a shared embedding, but ${embedding.name} is a ${embedding.getClassName()}.`);
  return embedding.apply([x, embedding.getInputAt(0) as tfTypes.SymbolicTensor]) as tfTypes.SymbolicTensor;
}
