import type { Tensor, TF } from './common';

/** Negative slope of `leaky_relu`, as Keras 3's `leaky_relu` activation. */
export const LEAKY_SLOPE = 0.2;

/**
 * tfjs camel-cases every string in a config it loads (`leaky_relu` comes back as
 * `leakyRelu`), so activation names are registered and looked up in that form.
 */
export const LEAKY_RELU = 'leakyRelu';

/**
 * Registers `leaky_relu` as a tfjs activation (tfjs has only the LeakyReLU layer), so that
 * it works on every layer, recurrent ones included, and saved models name it and load it
 * back.
 */
export function registerActivations(tf: TF): void {
  class LeakyRelu extends tf.serialization.Serializable {
    static className = LEAKY_RELU;
    apply(x: Tensor): Tensor {
      return tf.leakyRelu(x, LEAKY_SLOPE);
    }
    override getConfig() {
      return {};
    }
  }
  tf.serialization.registerClass(LeakyRelu);
}

/** The catalogue's activations as tensor functions, for the custom layers that apply one inside. */
export function activate(tf: TF, name: string, x: Tensor): Tensor {
  // A custom layer's own config is camel-cased on load like any other.
  switch (name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'relu6':
      return tf.relu6(x);
    case 'gelu':
      // The exact x·Φ(x) that the catalogue documents and tfjs's 'gelu' computes.
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.div(x, Math.SQRT2))));
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softmax':
      return tf.softmax(x);
    case 'elu':
      return tf.elu(x);
    case 'selu':
      return tf.selu(x);
    case 'swish':
      return tf.mul(x, tf.sigmoid(x));
    case LEAKY_RELU:
      return tf.leakyRelu(x, LEAKY_SLOPE);
    case 'softplus':
      return tf.softplus(x);
    default:
      throw new Error(`No engine activation for '${name}'.`);
  }
}
