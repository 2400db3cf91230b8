import { PREFIX, single, type ConfigDict, type Kwargs, type LayerArgs, type LayerShape, type Tensor, type TF } from './common';

export interface PadArgs extends LayerArgs {
  /** [before, after] per spatial axis (the axes between batch and channels). */
  pads: [number, number][];
  fill: 'zero' | 'min';
}

/**
 * Constant padding of the spatial axes. Zeros where tfjs has no layer for it (1-D), and −∞
 * in front of a max pool given explicit padding: PyTorch's max pools never let padding win,
 * which zeros would do for negative inputs. PyTorch keeps pads at most half the window, so
 * every window still holds a real element and no −∞ comes out.
 */
export function definePad(tf: TF) {
  return class Pad extends tf.layers.Layer {
    static className = `${PREFIX}Pad`;
    readonly pads: [number, number][];
    readonly fill: 'zero' | 'min';

    constructor(args: PadArgs) {
      super(args);
      this.pads = args.pads.map(([a, b]) => [a, b]);
      this.fill = args.fill;
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => tf.pad(single(inputs), [[0, 0], ...this.pads, [0, 0]], this.fill === 'min' ? -Infinity : 0));
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      const shape = inputShape as LayerShape;
      return shape.map((d, i) => (i === 0 || i === shape.length - 1 || d === null ? d : d + this.pads[i - 1][0] + this.pads[i - 1][1]));
    }

    override getConfig(): ConfigDict {
      // `fill` is a word, not −∞ itself: JSON (model.json) has no infinity.
      return { ...super.getConfig(), pads: this.pads, fill: this.fill };
    }
  };
}

/** PyTorch's adaptive pooling window i of `out` over `size`: [floor(i·size/out), ceil((i+1)·size/out)). */
export function adaptiveWindow(i: number, size: number, out: number): [number, number] {
  return [Math.floor((i * size) / out), Math.ceil(((i + 1) * size) / out)];
}

export interface AdaptivePoolArgs extends LayerArgs {
  reduction: 'avg' | 'max';
  /** Output size per spatial axis. */
  size: number[];
}

/**
 * Adaptive average or max pooling with PyTorch's windows, for sizes that do not divide the
 * input (those use a plain pool). A box's mean is the mean over one axis of the means over
 * the other, and likewise for max, so each axis is reduced in turn: one slice and one
 * reduction per output position, differentiable through tfjs's own ops.
 */
export function defineAdaptivePool(tf: TF) {
  return class AdaptivePool extends tf.layers.Layer {
    static className = `${PREFIX}AdaptivePool`;
    readonly reduction: 'avg' | 'max';
    readonly size: number[];

    constructor(args: AdaptivePoolArgs) {
      super(args);
      this.reduction = args.reduction;
      this.size = [...args.size];
    }

    override call(inputs: Tensor | Tensor[], _kwargs: Kwargs): Tensor {
      return tf.tidy(() => {
        let x = single(inputs);
        this.size.forEach((out, i) => {
          const axis = i + 1;
          const length = x.shape[axis];
          if (length === out) return;
          const parts: Tensor[] = [];
          for (let j = 0; j < out; j++) {
            const [start, end] = adaptiveWindow(j, length, out);
            const begin = x.shape.map((_, a) => (a === axis ? start : 0));
            const extent = x.shape.map((d, a) => (a === axis ? end - start : d));
            const window = tf.slice(x, begin, extent);
            parts.push(this.reduction === 'avg' ? tf.mean(window, axis, true) : tf.max(window, axis, true));
          }
          x = tf.concat(parts, axis);
        });
        return x;
      });
    }

    override computeOutputShape(inputShape: LayerShape | LayerShape[]): LayerShape | LayerShape[] {
      const shape = inputShape as LayerShape;
      return shape.map((d, i) => (i === 0 || i === shape.length - 1 ? d : this.size[i - 1]));
    }

    override getConfig(): ConfigDict {
      return { ...super.getConfig(), reduction: this.reduction, size: this.size };
    }
  };
}
