import { lastDim, PREFIX, single, type ConfigDict, type Kwargs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

/** A learned vector added along the last axis: the bias of a tied output, whose kernel is borrowed. */
export function defineBias(tf: TF) {
  return class Bias extends tf.layers.Layer {
    static className = `${PREFIX}Bias`;
    private bias?: LayerVariable;

    override build(inputShape: LayerShape | LayerShape[]): void {
      this.bias = this.addWeight('bias', [lastDim(inputShape as LayerShape)], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => tf.add(single(inputs), this.bias!.read()));
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      return inputShape;
    }

    override getConfig(): ConfigDict {
      return super.getConfig();
    }
  };
}
