import type { serialization, Tensor2D } from '@tensorflow/tfjs';
import { PREFIX, singleShape, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type LayerVariable, type Tensor, type TF } from './common';

type Serializable = serialization.Serializable;
type SerializableConstructor<T extends Serializable> = serialization.SerializableConstructor<T>;

export interface ResetAfterGRUCellArgs extends LayerArgs {
  units: number;
}

/**
 * The GRU cell of Keras's `reset_after: true` and of PyTorch's nn.GRU, which TensorFlow.js
 * 4.22 refuses ("GRUCell does not support reset_after parameter set to true"): the reset
 * gate multiplies the recurrent product after its bias, so that product keeps a bias of its
 * own. Weights as Keras stores them: kernel [F, 3h], recurrent_kernel [h, 3h], bias [2, 3h]
 * (input bias, recurrent bias), gates in the order z, r, h.
 *
 *   z = σ(x·Wz + bz + h·Uz + b'z)      r = σ(x·Wr + br + h·Ur + b'r)
 *   n = tanh(x·Wh + bh + r ⊙ (h·Uh + b'h))      h_t = z ⊙ h + (1 − z) ⊙ n
 *
 * It is a cell, run by tfjs's own RNN loop (see defineResetAfterGRU), so return_sequences,
 * `bidirectional` and saving work as for the stock GRU.
 */
export function defineResetAfterGRUCell(tf: TF) {
  return class ResetAfterGRUCell extends tf.layers.Layer {
    static className = `${PREFIX}ResetAfterGRUCell`;
    readonly units: number;
    readonly stateSize: number;
    private kernel?: LayerVariable;
    private recurrentKernel?: LayerVariable;
    private bias?: LayerVariable;

    constructor(args: ResetAfterGRUCellArgs) {
      super(args);
      this.units = args.units;
      this.stateSize = args.units;
    }

    override build(inputShape: LayerShape | LayerShape[]): void {
      const shape = singleShape(inputShape);
      const features = shape[shape.length - 1] as number;
      const h = this.units;
      // Keras's GRU initialisers: Glorot-uniform inputs, orthogonal recurrence, zero biases.
      this.kernel = this.addWeight('kernel', [features, 3 * h], 'float32', tf.initializers.glorotUniform({}));
      this.recurrentKernel = this.addWeight('recurrent_kernel', [h, 3 * h], 'float32', tf.initializers.orthogonal({}));
      this.bias = this.addWeight('bias', [2, 3 * h], 'float32', tf.initializers.zeros());
      this.built = true;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor[] {
      return tf.tidy(() => {
        const [x, state] = inputs as Tensor[];
        const [inputBias, recurrentBias] = tf.unstack(this.bias!.read());
        const fromInput = tf.add(tf.matMul(x as Tensor2D, this.kernel!.read() as Tensor2D), inputBias);
        const fromState = tf.add(tf.matMul(state as Tensor2D, this.recurrentKernel!.read() as Tensor2D), recurrentBias);
        const [xz, xr, xh] = tf.split(fromInput, 3, -1);
        const [hz, hr, hh] = tf.split(fromState, 3, -1);
        const z = tf.sigmoid(tf.add(xz, hz));
        const r = tf.sigmoid(tf.add(xr, hr));
        const candidate = tf.tanh(tf.add(xh, tf.mul(r, hh)));
        const next = tf.add(tf.mul(z, state), tf.mul(tf.sub(1, z), candidate));
        return [next, next];
      });
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), units: this.units };
    }
  };
}

export interface ResetAfterGRUArgs extends LayerArgs {
  units: number;
  returnSequences?: boolean;
  goBackwards?: boolean;
}

/**
 * tfjs's RNN layer around the reset-after cell, as a class of its own that makes its cell
 * from `units`. The generic `tf.layers.rnn({cell})` cannot be wrapped in `bidirectional`:
 * Bidirectional deserialises the forward and the backward copy from one config object,
 * and RNN.fromConfig replaces that object's cell config by the first copy's cell, so the
 * second fails ("Improper config format").
 */
export function defineResetAfterGRU(tf: TF, Cell: ReturnType<typeof defineResetAfterGRUCell>) {
  type RNNArgs = ConstructorParameters<typeof tf.RNN>[0];
  return class ResetAfterGRU extends tf.RNN {
    static override className = `${PREFIX}ResetAfterGRU`;
    readonly units: number;

    constructor(args: ResetAfterGRUArgs) {
      const cell = new Cell({ units: args.units, name: args.name === undefined ? undefined : `${args.name}_cell` });
      super({ ...args, cell } as unknown as RNNArgs);
      this.units = args.units;
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), units: this.units };
    }

    /** The cell is rebuilt from `units`, so the config is read, never changed. */
    static override fromConfig<T extends Serializable>(cls: SerializableConstructor<T>, config: ConfigDict): T {
      const { cell: _cell, ...rest } = config;
      return new cls(rest);
    }
  };
}
