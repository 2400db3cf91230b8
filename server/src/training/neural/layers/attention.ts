import { lastDim, linear, PREFIX, single, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

export interface AttentionArgs extends LayerArgs {
  heads: number;
  keyDim: number;
  causal: boolean;
  useBias: boolean;
}

/** The Q, K, V and output projections of one attention: 4·d·H·k weights, plus 3·H·k + d biases. */
export interface AttentionWeights {
  readonly query: LayerVariable;
  readonly key: LayerVariable;
  readonly value: LayerVariable;
  readonly output: LayerVariable;
  readonly queryBias?: LayerVariable;
  readonly keyBias?: LayerVariable;
  readonly valueBias?: LayerVariable;
  readonly outputBias?: LayerVariable;
}

type AddWeight = (name: string, shape: number[], init: ReturnType<TF['initializers']['zeros']>) => LayerVariable;

/**
 * Kernels are kept 2-D ([d, H·k] rather than Keras's [d, H, k]) so that each projection is
 * one plain matrix product; the count is the same.
 */
export function addAttentionWeights(tf: TF, add: AddWeight, prefix: string, width: number, inner: number, useBias: boolean): AttentionWeights {
  const kernel = () => tf.initializers.glorotUniform({});
  const zeros = () => tf.initializers.zeros();
  return {
    query: add(`${prefix}query/kernel`, [width, inner], kernel()),
    key: add(`${prefix}key/kernel`, [width, inner], kernel()),
    value: add(`${prefix}value/kernel`, [width, inner], kernel()),
    output: add(`${prefix}output/kernel`, [inner, width], kernel()),
    queryBias: useBias ? add(`${prefix}query/bias`, [inner], zeros()) : undefined,
    keyBias: useBias ? add(`${prefix}key/bias`, [inner], zeros()) : undefined,
    valueBias: useBias ? add(`${prefix}value/bias`, [inner], zeros()) : undefined,
    outputBias: useBias ? add(`${prefix}output/bias`, [width], zeros()) : undefined,
  };
}

/** 0 where a position may attend, a large negative number above the diagonal. */
function causalMask(tf: TF, steps: number): Tensor {
  const mask = new Float32Array(steps * steps);
  for (let i = 0; i < steps; i++) for (let j = i + 1; j < steps; j++) mask[i * steps + j] = -1e9;
  return tf.tensor2d(mask, [steps, steps]);
}

/**
 * Multi-head self-attention on x [B, T, d] from matMul and softmax (tfjs's einsum has no
 * gradient): softmax(QKᵀ/√k)·V per head, heads concatenated, then the output projection.
 */
export function selfAttention(tf: TF, x: Tensor, w: AttentionWeights, heads: number, keyDim: number, causal: boolean): Tensor {
  const [batch, steps, width] = x.shape;
  const split = (kernel: LayerVariable, bias?: LayerVariable) =>
    tf.transpose(tf.reshape(linear(tf, x, kernel.read(), bias?.read()), [batch, steps, heads, keyDim]), [0, 2, 1, 3]);
  const q = split(w.query, w.queryBias);
  const k = split(w.key, w.keyBias);
  const v = split(w.value, w.valueBias);
  let scores = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(keyDim));
  if (causal) scores = tf.add(scores, causalMask(tf, steps));
  const mixed = tf.matMul(tf.softmax(scores), v);
  const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [batch, steps, heads * keyDim]);
  const out = linear(tf, merged, w.output.read(), w.outputBias?.read());
  return tf.reshape(out, [batch, steps, width]);
}

/**
 * Keras-style MultiHeadAttention with query = key = value. tfjs 4.22 has the layer only as
 * unexported source.
 */
export function defineMultiHeadAttention(tf: TF) {
  return class MultiHeadAttention extends tf.layers.Layer {
    static className = `${PREFIX}MultiHeadAttention`;
    readonly heads: number;
    readonly keyDim: number;
    readonly causal: boolean;
    readonly useBias: boolean;
    private w?: AttentionWeights;

    constructor(args: AttentionArgs) {
      super(args);
      this.heads = args.heads;
      this.keyDim = args.keyDim;
      this.causal = args.causal;
      this.useBias = args.useBias;
    }

    override build(inputShape: LayerShape | LayerShape[]): void {
      const add: AddWeight = (name, shape, init) => this.addWeight(name, shape, 'float32', init);
      this.w = addAttentionWeights(tf, add, '', lastDim(inputShape as LayerShape), this.heads * this.keyDim, this.useBias);
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => selfAttention(tf, single(inputs), this.w!, this.heads, this.keyDim, this.causal));
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      return inputShape;
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), heads: this.heads, keyDim: this.keyDim, causal: this.causal, useBias: this.useBias };
    }
  };
}
