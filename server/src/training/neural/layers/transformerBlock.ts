import { activate } from './activations';
import { addAttentionWeights, selfAttention, type AttentionWeights } from './attention';
import { dropout, lastDim, linear, normalize, PREFIX, single, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

export interface TransformerBlockArgs extends LayerArgs {
  heads: number;
  keyDim: number;
  ff: number;
  dropout: number;
  norm: 'pre' | 'post';
  activation: string;
  causal: boolean;
}

/** Layer norms of a transformer block use GPT-2's and the `layernorm` default epsilon. */
const EPSILON = 1e-5;

/**
 * One transformer layer: self-attention and a dense(ff)–activation–dense(d) MLP, each in a
 * residual connection with a layer norm before (pre, GPT-2) or after (post, BERT) it, and
 * dropout after each sub-layer while training.
 */
export function defineTransformerBlock(tf: TF) {
  return class TransformerBlock extends tf.layers.Layer {
    static className = `${PREFIX}TransformerBlock`;
    readonly heads: number;
    readonly keyDim: number;
    readonly ff: number;
    readonly rate: number;
    readonly norm: 'pre' | 'post';
    readonly mlpActivation: string;
    readonly causal: boolean;
    private w?: {
      attention: AttentionWeights;
      norm1: [LayerVariable, LayerVariable];
      norm2: [LayerVariable, LayerVariable];
      hidden: [LayerVariable, LayerVariable];
      out: [LayerVariable, LayerVariable];
    };

    constructor(args: TransformerBlockArgs) {
      super(args);
      this.heads = args.heads;
      this.keyDim = args.keyDim;
      this.ff = args.ff;
      this.rate = args.dropout;
      this.norm = args.norm;
      this.mlpActivation = args.activation;
      this.causal = args.causal;
    }

    override build(inputShape: LayerShape | LayerShape[]): void {
      const d = lastDim(inputShape as LayerShape);
      const add = (name: string, shape: number[], init: ReturnType<TF['initializers']['zeros']>) => this.addWeight(name, shape, 'float32', init);
      const ones = () => tf.initializers.ones();
      const zeros = () => tf.initializers.zeros();
      const glorot = () => tf.initializers.glorotUniform({});
      this.w = {
        attention: addAttentionWeights(tf, add, 'attention/', d, this.heads * this.keyDim, true),
        norm1: [add('norm1/gamma', [d], ones()), add('norm1/beta', [d], zeros())],
        norm2: [add('norm2/gamma', [d], ones()), add('norm2/beta', [d], zeros())],
        hidden: [add('mlp/hidden/kernel', [d, this.ff], glorot()), add('mlp/hidden/bias', [this.ff], zeros())],
        out: [add('mlp/output/kernel', [this.ff, d], glorot()), add('mlp/output/bias', [d], zeros())],
      };
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        const w = this.w!;
        const x = single(inputs);
        const ln = (t: Tensor, [gamma, beta]: [LayerVariable, LayerVariable]) => normalize(tf, t, gamma.read(), beta.read(), EPSILON);
        const attend = (t: Tensor) => dropout(tf, selfAttention(tf, t, w.attention, this.heads, this.keyDim, this.causal), this.rate, kwargs);
        const mlp = (t: Tensor) => {
          const hidden = activate(tf, this.mlpActivation, linear(tf, t, w.hidden[0].read(), w.hidden[1].read()));
          return dropout(tf, linear(tf, hidden, w.out[0].read(), w.out[1].read()), this.rate, kwargs);
        };
        if (this.norm === 'pre') {
          const h = tf.add(x, attend(ln(x, w.norm1)));
          return tf.add(h, mlp(ln(h, w.norm2)));
        }
        const h = ln(tf.add(x, attend(x)), w.norm1);
        return ln(tf.add(h, mlp(h)), w.norm2);
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      return inputShape;
    }

    override getConfig(): ConfigDict {
      return {
        ...super.getConfig(),
        heads: this.heads,
        keyDim: this.keyDim,
        ff: this.ff,
        dropout: this.rate,
        norm: this.norm,
        activation: this.mlpActivation,
        causal: this.causal,
      };
    }
  };
}
