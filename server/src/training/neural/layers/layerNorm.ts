import { lastDim, normalize, PREFIX, single, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

export interface LayerNormArgs extends LayerArgs {
  epsilon: number;
}

/**
 * Layer normalisation over the last axis with a learned scale γ and shift β (2·d weights).
 * tfjs's own layerNormalization tiles its input, and its gradient then issued thousands of
 * kernels per layer: a training step took ten times as long on wasm.
 */
export function defineLayerNorm(tf: TF) {
  return class LayerNorm extends tf.layers.Layer {
    static className = `${PREFIX}LayerNorm`;
    readonly epsilon: number;
    private gamma?: LayerVariable;
    private beta?: LayerVariable;

    constructor(args: LayerNormArgs) {
      super(args);
      this.epsilon = args.epsilon;
    }

    override build(inputShape: LayerShape | LayerShape[]): void {
      const d = lastDim(inputShape as LayerShape);
      this.gamma = this.addWeight('gamma', [d], 'float32', tf.initializers.ones());
      this.beta = this.addWeight('beta', [d], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => normalize(tf, single(inputs), this.gamma!.read(), this.beta!.read(), this.epsilon));
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      return inputShape;
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), epsilon: this.epsilon };
    }
  };
}
