/**
 * The window walk both depthwise gradients share: every (tap, output position) pair
 * whose input position lies inside the image, with the offsets of its input pixel, its
 * output gradient and its filter tap. The kernels differ only in what they accumulate
 * over the channels there.
 */
import { backend_util } from '@tensorflow/tfjs';
import { validRange } from './conv2dBackpropFilter';
import type { ConvAttrs, Shape4 } from './util';

export function depthwiseInfo(inputShape: Shape4, filterShape: Shape4, a: ConvAttrs): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(inputShape, filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
}

/** Calls `visit(xBase, dyBase, wBase)`: element offsets of channel 0 in x, dy and the filter. */
export function forEachDepthwiseTap(c: backend_util.Conv2DInfo, outC: number, visit: (xBase: number, dyBase: number, wBase: number) => void): void {
  const { inHeight: inH, inWidth: inW, inChannels: inC, outHeight: outH, outWidth: outW, filterHeight: fH, filterWidth: fW } = c;
  for (let kh = 0; kh < fH; kh++) {
    const [ohStart, ohEnd] = validRange(kh * c.dilationHeight - c.padInfo.top, c.strideHeight, outH, inH);
    for (let kw = 0; kw < fW; kw++) {
      const colOffset = kw * c.dilationWidth - c.padInfo.left;
      const [owStart, owEnd] = validRange(colOffset, c.strideWidth, outW, inW);
      const wBase = (kh * fW + kw) * outC;
      for (let b = 0; b < c.batchSize; b++) {
        for (let oh = ohStart; oh < ohEnd; oh++) {
          const ih = oh * c.strideHeight + kh * c.dilationHeight - c.padInfo.top;
          const xRow = (b * inH + ih) * inW;
          const dyRow = (b * outH + oh) * outW;
          for (let ow = owStart; ow < owEnd; ow++) visit((xRow + ow * c.strideWidth + colOffset) * inC, (dyRow + ow) * outC, wBase);
        }
      }
    }
  }
}
