// The PyTorch export is exact: for every layer of the catalogue, with the arguments that
// change its shape or its counts, the model.py Modelspec writes is imported by PyTorch and
// measured there (tests/export/measure_torch.py, all cases in one Python process). PyTorch's
// parameter count and floating buffer count must equal the estimate's torch counts exactly,
// the output of a batch of 2 must have the estimated shape, and the multiply-accumulates
// counted with forward hooks must match the estimate's MACs: within 1 %, and in fact exactly
// (they are equal in every case below, so equality is asserted too).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import type { ModelAnalysis } from '../../server/src/analysis/model';
import { layerNames } from '../../server/src/catalog/registry';
import type { NestedLayer } from '../../server/src/catalog/types';
import { createNodeHost } from '../../server/src/data/nodeHost';
import { projectFiles } from '../../server/src/export/project';
import { pythonSections } from '../../server/src/export/pythonSources';
import { INVERTED_RESIDUAL_BLOCKS } from './invertedResidual';
import { runPython, torchPython } from './python';

interface Case {
  readonly name: string;
  /** One sample's shape, channels last. */
  readonly input: readonly number[];
  readonly classes?: number;
  /** The model's layers, one statement a line. */
  readonly body: string;
  /** Block declarations the body uses. */
  readonly blocks?: string;
  /** The input is token ids below this (embeddings). */
  readonly tokens?: number;
  /** The output's last axis is a probability distribution (softmax, wherever the layout put the channels). */
  readonly softmax?: boolean;
  /** A constant input comes out unchanged (pools whose padding must not count). */
  readonly constant?: number;
}

const CASES: readonly Case[] = [
  // dense
  { name: 'dense on a vector', input: [12], classes: 3, body: 'dense(8, activation: relu)\ndense(3, activation: softmax)', softmax: true },
  { name: 'dense without bias', input: [12], body: 'dense(5, use_bias: false, activation: tanh)' },
  { name: 'dense on a sequence', input: [5, 12], body: 'dense(7, use_bias: false)\ndense(4, activation: softmax)', softmax: true },
  { name: 'dense on an image after a convolution', input: [6, 6, 3], body: 'conv2d(4, kernel: 3)\ndense(5, activation: softmax)', softmax: true },
  { name: 'dense with every activation', input: [6], body: ['relu6', 'gelu', 'sigmoid', 'elu', 'selu', 'swish', 'leaky_relu', 'softplus', 'linear'].map((a) => `dense(6, activation: ${a})`).join('\n') },
  // embeddings and tied outputs
  { name: 'embedding', input: [10], tokens: 50, body: 'embedding(50, 16)' },
  { name: 'tied output with bias', input: [10], tokens: 50, body: 'embedding(50, 16)\ndense(50, tied: true, activation: softmax)', softmax: true },
  { name: 'tied output without bias', input: [10], tokens: 50, body: 'embedding(50, 16)\npositional_embedding(12)\nlayernorm\ndense(50, use_bias: false, tied: true)' },
  { name: 'positional_embedding longer than the sequence', input: [10], tokens: 30, body: 'embedding(30, 8)\npositional_embedding(16)' },
  { name: 'positional_embedding on real-valued features', input: [6, 5], body: 'positional_embedding(6)' },
  // conv2d
  { name: 'conv2d', input: [9, 9, 3], body: 'conv2d(4, kernel: 3, activation: relu)' },
  { name: 'conv2d stride 2', input: [9, 9, 3], body: 'conv2d(4, kernel: 3, stride: 2)' },
  { name: 'conv2d same, even split', input: [7, 7, 3], body: 'conv2d(4, kernel: 3, padding: same)' },
  { name: 'conv2d same, uneven split (even kernel)', input: [7, 7, 3], body: 'conv2d(4, kernel: 4, padding: same)' },
  { name: 'conv2d same, uneven split (stride 2, even input)', input: [8, 8, 3], body: 'conv2d(4, kernel: 3, stride: 2, padding: same)' },
  { name: 'conv2d kernel [h, w], stride [h, w]', input: [7, 10, 2], body: 'conv2d(5, kernel: [3, 5], stride: [1, 2], padding: same)\nconv2d(3, kernel: [2, 1])' },
  { name: 'conv2d dilation', input: [9, 9, 2], body: 'conv2d(4, kernel: 3, dilation: 2)\nconv2d(4, kernel: 3, dilation: 2, padding: same)\nconv2d(4, kernel: [2, 3], dilation: [2, 1], padding: same)' },
  { name: 'conv2d groups', input: [6, 6, 4], body: 'conv2d(8, kernel: 3, groups: 2, padding: same)\nconv2d(4, kernel: 1, groups: 4, use_bias: false)' },
  { name: 'conv2d without bias, softmax over channels', input: [5, 5, 3], body: 'conv2d(6, kernel: 3, use_bias: false, activation: softmax)', softmax: true },
  // conv1d
  { name: 'conv1d', input: [10, 4], body: 'conv1d(6, kernel: 3, activation: relu)' },
  { name: 'conv1d stride 2', input: [11, 4], body: 'conv1d(6, kernel: 3, stride: 2)' },
  { name: 'conv1d same, even and uneven splits', input: [10, 4], body: 'conv1d(6, kernel: 3, padding: same)\nconv1d(6, kernel: 4, padding: same)\nconv1d(6, kernel: 3, stride: 2, padding: same)' },
  { name: 'conv1d dilation', input: [12, 3], body: 'conv1d(4, kernel: 3, dilation: 2)\nconv1d(4, kernel: 2, dilation: 3, padding: same)' },
  { name: 'conv1d groups, no bias, softmax', input: [10, 4], body: 'conv1d(8, kernel: 3, groups: 2)\nconv1d(4, kernel: 1, groups: 4, use_bias: false, activation: softmax)', softmax: true },
  // depthwise and separable
  { name: 'depthwise_conv2d', input: [8, 8, 3], body: 'depthwise_conv2d(kernel: 3)' },
  { name: 'depthwise_conv2d depth_multiplier, stride, same', input: [8, 8, 3], body: 'depthwise_conv2d(kernel: 3, stride: 2, padding: same, depth_multiplier: 2, activation: relu)' },
  { name: 'depthwise_conv2d no bias, dilation', input: [9, 9, 2], body: 'depthwise_conv2d(kernel: [3, 2], dilation: 2, use_bias: false, padding: same)' },
  { name: 'separable_conv2d', input: [8, 8, 3], body: 'separable_conv2d(6, kernel: 3, padding: same)' },
  { name: 'separable_conv2d depth_multiplier, no bias', input: [8, 8, 3], body: 'separable_conv2d(6, kernel: 3, depth_multiplier: 3, use_bias: false)' },
  { name: 'separable_conv2d strided same (uneven)', input: [8, 8, 4], body: 'separable_conv2d(5, kernel: 4, stride: 2, padding: same, depth_multiplier: 2, activation: relu)' },
  // 2-D pools
  { name: 'maxpool2d', input: [8, 8, 3], body: 'maxpool2d(2)', constant: -1 },
  { name: 'maxpool2d pool 3 stride 2', input: [9, 9, 3], body: 'maxpool2d(3, stride: 2)', constant: -1 },
  { name: 'maxpool2d same, symmetric', input: [6, 6, 2], body: 'maxpool2d(3, stride: 1, padding: same)', constant: -1 },
  { name: 'maxpool2d same, asymmetric', input: [7, 7, 2], body: 'maxpool2d(2, padding: same)', constant: -1 },
  { name: 'maxpool2d [h, w] same', input: [7, 9, 2], body: 'maxpool2d([2, 3], stride: [1, 2], padding: same)', constant: -1 },
  { name: 'avgpool2d', input: [8, 8, 3], body: 'avgpool2d(2)', constant: 3 },
  { name: 'avgpool2d same, symmetric', input: [6, 6, 2], body: 'avgpool2d(3, stride: 1, padding: same)', constant: 3 },
  { name: 'avgpool2d same, asymmetric', input: [7, 7, 2], body: 'avgpool2d(2, padding: same)', constant: 3 },
  { name: 'avgpool2d [h, w] same', input: [7, 9, 2], body: 'avgpool2d([2, 3], stride: [1, 2], padding: same)', constant: 3 },
  // 1-D pools
  { name: 'maxpool1d', input: [10, 3], body: 'maxpool1d(2)', constant: -1 },
  { name: 'maxpool1d same, asymmetric', input: [10, 3], body: 'maxpool1d(3, stride: 2, padding: same)', constant: -1 },
  { name: 'maxpool1d same, symmetric', input: [10, 3], body: 'maxpool1d(3, stride: 1, padding: same)', constant: -1 },
  { name: 'avgpool1d', input: [10, 3], body: 'avgpool1d(3, stride: 2)', constant: 3 },
  { name: 'avgpool1d same, symmetric', input: [10, 3], body: 'avgpool1d(3, stride: 1, padding: same)', constant: 3 },
  { name: 'avgpool1d same, asymmetric', input: [9, 3], body: 'avgpool1d(2, padding: same)', constant: 3 },
  { name: 'pools after conv1d', input: [12, 3], body: 'conv1d(4, kernel: 3, padding: same)\nmaxpool1d(2, padding: same)\navgpool1d(2)' },
  // explicit padding (PyTorch's padding=p) and zero-padding layers
  { name: 'conv2d padding 2 stride 4 (AlexNet stem)', input: [23, 23, 3], body: 'conv2d(4, kernel: 11, stride: 4, padding: 2, activation: relu)' },
  { name: 'conv2d padding [h, w], strided, and dilated with groups', input: [9, 8, 4], body: 'conv2d(4, kernel: [3, 5], stride: 2, padding: [1, 2])\nconv2d(4, kernel: 3, dilation: 2, padding: 2, groups: 2, use_bias: false)' },
  { name: 'conv1d padding 2 strided', input: [11, 3], body: 'conv1d(5, kernel: 5, stride: 2, padding: 2)\nconv1d(5, kernel: 3, padding: 1, dilation: 2)' },
  { name: 'depthwise and separable with explicit padding', input: [8, 8, 3], body: 'depthwise_conv2d(kernel: 3, stride: 2, padding: 1, depth_multiplier: 2)\nseparable_conv2d(4, kernel: 3, padding: [1, 0])' },
  { name: 'maxpool2d padding 1 stride 2 (ResNet stem)', input: [9, 9, 2], body: 'maxpool2d(3, stride: 2, padding: 1)', constant: -1 },
  { name: 'maxpool2d padding [h, w]', input: [7, 6, 2], body: 'maxpool2d([3, 2], stride: [2, 1], padding: [1, 1])', constant: -1 },
  { name: 'avgpool2d padding 1 (counts the pads, as PyTorch by default)', input: [6, 6, 2], body: 'avgpool2d(3, stride: 1, padding: 1)' },
  { name: 'maxpool1d and avgpool1d padding 1', input: [10, 3], body: 'maxpool1d(3, stride: 2, padding: 1)\navgpool1d(2, stride: 1, padding: 1)' },
  { name: 'maxpool1d padding 1 on a constant', input: [9, 3], body: 'maxpool1d(2, padding: 1)', constant: -1 },
  { name: 'ResNet stem and a strided residual, written as torchvision pads them', input: [16, 16, 3], body: 'conv2d(8, kernel: 7, stride: 2, padding: 3, use_bias: false)\nbatchnorm\nrelu\nmaxpool2d(3, stride: 2, padding: 1)\nresidual(projection: true, projection_bias: false, projection_batchnorm: true) {\n  conv2d(16, kernel: 3, stride: 2, padding: 1, use_bias: false)\n  batchnorm\n  relu\n  conv2d(16, kernel: 3, padding: 1, use_bias: false)\n  batchnorm\n}\nrelu' },
  { name: 'zero_padding2d every form', input: [5, 4, 2], body: 'zero_padding2d(1)\nzero_padding2d([2, 0])\nzero_padding2d([[1, 0], [0, 3]])\nconv2d(3, kernel: 3)' },
  { name: 'zero_padding1d both forms', input: [6, 2], body: 'zero_padding1d(2)\nzero_padding1d([0, 3])\nconv1d(3, kernel: 3)' },
  // adaptive pools
  { name: 'adaptive_avgpool2d to 6×6 (AlexNet), windows overlapping', input: [13, 13, 2], body: 'adaptive_avgpool2d([6, 6])', constant: 3 },
  { name: 'adaptive_maxpool2d larger than its input on one axis', input: [7, 4, 2], body: 'adaptive_maxpool2d([3, 5])', constant: -1 },
  { name: 'adaptive_avgpool2d dividing the input, then a classifier', input: [8, 8, 3], body: 'conv2d(4, kernel: 1)\nadaptive_avgpool2d(2)\nflatten\ndense(3, activation: softmax)', softmax: true },
  { name: 'adaptive_avgpool1d and adaptive_maxpool1d', input: [10, 3], body: 'adaptive_avgpool1d(4)\nadaptive_maxpool1d(5)', constant: 3 },
  // global pools
  { name: 'global_avgpool on an image', input: [4, 5, 3], body: 'global_avgpool', constant: 3 },
  { name: 'global_maxpool on an image after conv2d', input: [6, 6, 3], body: 'conv2d(4, kernel: 3)\nglobal_maxpool' },
  { name: 'global_maxpool on a sequence', input: [6, 3], body: 'global_maxpool', constant: -1 },
  { name: 'global_avgpool on a sequence', input: [6, 3], body: 'global_avgpool', constant: 3 },
  { name: 'global_avgpool after conv1d', input: [10, 3], body: 'conv1d(5, kernel: 3)\nglobal_avgpool\ndense(2, activation: softmax)', softmax: true },
  { name: 'global_maxpool after conv1d', input: [10, 3], body: 'conv1d(5, kernel: 3, stride: 2)\nglobal_maxpool' },
  { name: 'global_avgpool after an embedding', input: [8], tokens: 20, body: 'embedding(20, 6)\nglobal_avgpool' },
  // recurrent
  { name: 'simple_rnn tanh', input: [6, 3], body: 'simple_rnn(8)' },
  { name: 'simple_rnn relu, return_sequences', input: [6, 3], body: 'simple_rnn(8, activation: relu, return_sequences: true)' },
  { name: 'simple_rnn gelu (ElmanRNN)', input: [6, 3], body: 'simple_rnn(5, activation: gelu)' },
  { name: 'simple_rnn gelu and linear, return_sequences (ElmanRNN)', input: [6, 3], body: 'simple_rnn(5, activation: gelu, return_sequences: true)\nsimple_rnn(4, activation: linear)' },
  { name: 'lstm', input: [7, 4], body: 'lstm(8)' },
  { name: 'lstm return_sequences, stacked', input: [7, 4], body: 'lstm(8, return_sequences: true)\nlstm(5)' },
  { name: 'gru', input: [7, 4], body: 'gru(6)' },
  { name: 'gru return_sequences', input: [7, 4], body: 'gru(6, return_sequences: true)' },
  { name: 'gru reset_after: false (ResetBeforeGRU)', input: [7, 4], body: 'gru(6, reset_after: false)' },
  { name: 'gru reset_after: false, return_sequences, stacked on a reset-after gru', input: [7, 4], body: 'gru(5, return_sequences: true)\ngru(3, return_sequences: true, reset_after: false)' },
  { name: 'bidirectional gru reset_after: false, ave and concat', input: [6, 3], body: 'bidirectional(gru(4, return_sequences: true, reset_after: false), merge_mode: ave)\nbidirectional(gru(3, reset_after: false))' },
  { name: 'lstm after conv1d', input: [12, 3], body: 'conv1d(4, kernel: 3)\nlstm(6)' },
  { name: 'bidirectional lstm concat', input: [6, 3], body: 'bidirectional(lstm(4))' },
  { name: 'bidirectional gru sum, return_sequences', input: [6, 3], body: 'bidirectional(gru(4, return_sequences: true), merge_mode: sum)' },
  { name: 'bidirectional simple_rnn mul', input: [6, 3], body: 'bidirectional(simple_rnn(4), merge_mode: mul)' },
  { name: 'bidirectional ElmanRNN ave, return_sequences', input: [6, 3], body: 'bidirectional(simple_rnn(4, activation: gelu, return_sequences: true), merge_mode: ave)' },
  { name: 'bidirectional ElmanRNN concat', input: [6, 3], body: 'bidirectional(simple_rnn(3, activation: sigmoid))' },
  { name: 'bidirectional relu rnn concat, return_sequences', input: [6, 3], body: 'bidirectional(simple_rnn(3, activation: relu, return_sequences: true))\nbidirectional(lstm(2, return_sequences: true), merge_mode: ave)' },
  // attention
  { name: 'multihead_attention', input: [5, 8], body: 'multihead_attention(heads: 2)' },
  { name: 'multihead_attention key_dim', input: [5, 8], body: 'multihead_attention(heads: 3, key_dim: 5)' },
  { name: 'multihead_attention causal', input: [6, 8], body: 'multihead_attention(heads: 4, causal: true)' },
  { name: 'multihead_attention without bias', input: [5, 6], body: 'multihead_attention(heads: 2, key_dim: 4, use_bias: false, causal: true)' },
  { name: 'transformer_block pre gelu', input: [5, 8], body: 'transformer_block(heads: 2, ff: 16)' },
  { name: 'transformer_block post relu', input: [5, 8], body: 'transformer_block(heads: 2, ff: 12, norm: post, activation: relu, dropout: 0)' },
  { name: 'transformer_block causal key_dim', input: [6, 8], body: 'transformer_block(heads: 3, ff: 16, key_dim: 5, causal: true)' },
  { name: 'transformer_block on tokens', input: [9], tokens: 40, body: 'embedding(40, 12)\npositional_embedding(9)\ntransformer_block(heads: 3, ff: 24, causal: true)\nlayernorm\ndense(40, tied: true, activation: softmax)', softmax: true },
  // tokens: class token, one position, segment embeddings
  { name: 'class_token, positions, take_token', input: [5, 8], body: 'class_token\npositional_embedding(6)\ntake_token(0)' },
  { name: 'take_token from the end', input: [5, 6], body: 'dense(4)\ntake_token(-2)' },
  { name: 'BERT-style encoder with token_type_embedding and a pooler', input: [6], tokens: 20, body: 'embedding(20, 8)\npositional_embedding(6)\ntoken_type_embedding(types: 2)\nlayernorm\ntransformer_block(heads: 2, ff: 16, norm: post)\ntake_token(0)\ndense(8, activation: tanh)' },
  { name: 'ViT-style patches, class token, read-out', input: [8, 8, 3], classes: 3, body: 'conv2d(8, kernel: 4, stride: 4)\nreshape([4, 8])\nclass_token\npositional_embedding(5)\ntransformer_block(heads: 2, ff: 16)\nlayernorm\ntake_token\ndense(3, activation: softmax)', softmax: true },
  // normalisation
  { name: 'batchnorm on a vector', input: [6], body: 'batchnorm' },
  { name: 'batchnorm on a sequence', input: [5, 4], body: 'batchnorm(momentum: 0.9, epsilon: 1e-5)' },
  { name: 'batchnorm on an image', input: [4, 4, 3], body: 'batchnorm' },
  { name: 'batchnorm after conv2d and conv1d', input: [6, 6, 3], body: 'conv2d(4, kernel: 3)\nbatchnorm\nrelu\nreshape([16, 4])\nconv1d(3, kernel: 2)\nbatchnorm' },
  { name: 'batchnorm on a 4-D input', input: [2, 3, 4, 5], body: 'batchnorm' },
  { name: 'layernorm', input: [5, 4], body: 'layernorm\nflatten\nlayernorm(epsilon: 1e-3)' },
  { name: 'layernorm on an image after conv2d', input: [5, 5, 2], body: 'conv2d(3, kernel: 3)\nlayernorm' },
  // shape
  { name: 'flatten after conv2d (channels-last order)', input: [6, 6, 2], body: 'conv2d(3, kernel: 3)\nflatten\ndense(4)' },
  { name: 'flatten of a vector', input: [6], body: 'flatten' },
  { name: 'reshape with -1', input: [24], body: 'reshape([-1, 4])\nconv1d(3, kernel: 2)\nreshape([5, -1, 1])\nconv2d(2, kernel: [2, 3])' },
  { name: 'reshape of a conv2d output', input: [6, 6, 2], body: 'conv2d(4, kernel: 3)\nreshape([16, 4])\nlstm(3)' },
  { name: 'dropout', input: [5, 4], body: 'dropout(0.3)\nconv1d(2, kernel: 2)\ndropout(0.5)' },
  // activation layers
  { name: 'activation layers', input: [6], body: 'relu\ngelu\ntanh\nsigmoid\nactivation(leaky_relu)\nactivation(name: swish)\nactivation(linear)\nsoftmax', softmax: true },
  { name: 'softmax on an image', input: [4, 4, 3], body: 'softmax', softmax: true },
  { name: 'softmax on an image after conv2d', input: [5, 5, 2], body: 'conv2d(3, kernel: 3)\nsoftmax', softmax: true },
  { name: 'activation softmax on a sequence after conv1d', input: [8, 2], body: 'conv1d(3, kernel: 3)\nactivation(softmax)', softmax: true },
  // residual
  { name: 'residual on a vector', input: [8], body: 'residual {\n  dense(8, activation: relu)\n  dense(8)\n}' },
  { name: 'residual projection on a vector', input: [8], body: 'residual(projection: true) {\n  dense(12, activation: relu)\n}' },
  { name: 'residual projection without bias, with batchnorm, on a vector', input: [8], body: 'residual(projection: true, projection_bias: false, projection_batchnorm: true) {\n  dense(5)\n}' },
  { name: 'residual on an image', input: [6, 6, 4], body: 'conv2d(4, kernel: 1)\nresidual {\n  conv2d(4, kernel: 3, padding: same)\n  batchnorm\n  relu\n}' },
  { name: 'residual projection on an image, strided', input: [8, 8, 4], body: 'residual(projection: true) {\n  conv2d(8, kernel: 3, stride: 2, padding: same)\n}' },
  { name: 'residual projection on an odd image, strided, batchnorm, no bias', input: [7, 7, 4], body: 'conv2d(4, kernel: 1)\nresidual(projection: true, projection_bias: false, projection_batchnorm: true) {\n  conv2d(6, kernel: 3, stride: 2, padding: same, use_bias: false)\n  batchnorm\n}\nrelu' },
  { name: 'residual projection on an image, valid strided', input: [7, 7, 2], body: 'residual(projection: true) {\n  conv2d(3, kernel: 3, stride: 2)\n}' },
  { name: 'residual projection on a sequence, strided', input: [10, 4], body: 'residual(projection: true) {\n  conv1d(6, kernel: 3, stride: 2, padding: same)\n}' },
  { name: 'residual projection on a sequence, strided, batchnorm', input: [10, 4], body: 'residual(projection: true, projection_batchnorm: true, projection_bias: false) {\n  conv1d(6, kernel: 3, stride: 2, padding: same)\n}' },
  { name: 'residual projection on a sequence, channels last', input: [6, 4], body: 'residual(projection: true) {\n  dense(6)\n  lstm(6, return_sequences: true)\n}' },
  { name: 'residual projection on a sequence with batchnorm', input: [6, 4], body: 'residual(projection: true, projection_batchnorm: true) {\n  dense(6)\n}' },
  { name: 'residual on an image whose branch ends channels last', input: [5, 5, 3], body: 'conv2d(3, kernel: 1)\nresidual(projection: true) {\n  conv2d(4, kernel: 3, padding: same)\n  dense(6)\n}\nglobal_avgpool' },
  { name: 'residual of a transformer-style sublayer', input: [5, 8], body: 'residual {\n  layernorm\n  multihead_attention(heads: 2, causal: true)\n}\nresidual {\n  layernorm\n  dense(16, activation: gelu)\n  dense(8)\n}' },
  // repeat and blocks
  { name: 'repeat of identical copies', input: [8], body: 'repeat 3 {\n  dense(8, activation: relu)\n}' },
  { name: 'repeat whose first copy changes the shape', input: [5], body: 'repeat 3 {\n  dense(8)\n  batchnorm\n}' },
  { name: 'repeat of 70 copies (collapsed)', input: [4], body: 'repeat 70 {\n  dense(4, activation: tanh)\n}' },
  { name: 'repeat of 66 copies, the first changing the shape', input: [6], body: 'repeat 66 {\n  dense(4)\n  layernorm\n}' },
  { name: 'repeat of 65 transformer blocks', input: [4, 6], body: 'repeat 65 {\n  transformer_block(heads: 2, ff: 8, causal: true)\n}' },
  // A copy that starts by converting to channels first must do so once, not in every copy.
  { name: 'repeat of 70 convolutions (collapsed), converting the layout once', input: [5, 6, 3], body: 'repeat 70 {\n  conv2d(3, kernel: 1, activation: relu)\n}' },
  { name: 'repeat of 3 convolutions, converting the layout once', input: [5, 6, 3], body: 'repeat 3 {\n  conv2d(3, kernel: 1)\n}' },
  { name: 'repeat of 70 convolution-dense pairs (collapsed)', input: [5, 6, 3], body: 'repeat 70 {\n  conv2d(3, kernel: 1)\n  dense(3)\n}' },
  { name: 'nested repeats, both collapsed', input: [4], body: 'repeat 70 {\n  repeat 66 {\n    dense(4, activation: tanh)\n  }\n  layernorm\n}' },
  { name: 'repeat of 66 holding a repeat that converts the layout', input: [5, 6, 3], body: 'repeat 66 {\n  repeat 2 {\n    conv2d(3, kernel: 1)\n  }\n  dense(3)\n}' },
  { name: 'repeat of 67 residuals with a projection and an lstm', input: [6, 3], body: 'repeat 67 {\n  residual(projection: true, projection_batchnorm: true) {\n    conv1d(3, kernel: 3, padding: same)\n  }\n  lstm(3, return_sequences: true)\n}' },
  { name: 'nested repeats', input: [6, 6, 2], body: 'repeat 2 {\n  repeat 2 {\n    conv2d(4, kernel: 3, padding: same)\n  }\n  maxpool2d(2, padding: same)\n}' },
  {
    name: 'blocks with arguments, repeated, with residuals',
    input: [12, 12, 3],
    classes: 5,
    blocks: [
      'block ConvBN(filters, kernel = 3, stride = 1) {',
      '  conv2d(filters, kernel: kernel, stride: stride, padding: same, use_bias: false)',
      '  batchnorm(epsilon: 1e-5)',
      '}',
      'block Unit(width, stride = 1, project = false) {',
      '  residual(projection: project, projection_bias: false, projection_batchnorm: true) {',
      '    ConvBN(width, stride: stride)',
      '    relu',
      '    ConvBN(width)',
      '  }',
      '  relu',
      '}',
      'block Stage(width, blocks, stride) {',
      '  Unit(width, stride: stride, project: true)',
      '  repeat blocks - 1 { Unit(width) }',
      '}',
    ].join('\n'),
    body: 'ConvBN(4, kernel: 5, stride: 2)\nrelu\nStage(4, 2, 1)\nStage(8, 3, 2)\nglobal_avgpool\ndense(5, activation: softmax)',
    softmax: true,
  },
  // concat, if, in_channels and repeat 0
  { name: 'concat of convolution paths and the input on an image (channels first inside)', input: [6, 6, 3], body: 'concat {\n  { conv2d(4, kernel: 1) relu }\n  { conv2d(2, kernel: 3, padding: same) }\n  { }\n}\nconv2d(5, kernel: 1)' },
  { name: 'concat on a vector, one path a dense stack', input: [5], body: 'concat {\n  { dense(3) dense(2) }\n  { }\n}\ndense(4, activation: softmax)', softmax: true },
  { name: 'concat on a sequence mixing channels-first and channels-last paths', input: [7, 3], body: 'concat {\n  { conv1d(4, kernel: 3, padding: same) }\n  { dense(2) }\n}\nlstm(3)' },
  { name: 'concat whose paths flatten', input: [4, 4, 2], body: 'concat {\n  { conv2d(2, kernel: 1) flatten }\n  { flatten }\n}' },
  { name: 'repeat of 70 shape-keeping concats (collapsed), on an image', input: [4, 4, 4], body: 'repeat 70 {\n  concat {\n    { conv2d(2, kernel: 1) }\n    { conv2d(2, kernel: 3, padding: same) }\n  }\n}' },
  { name: 'repeated concat of a growing input (DenseNet-style)', input: [5, 5, 4], body: 'conv2d(4, kernel: 1)\nrepeat 3 {\n  concat {\n    { }\n    { batchnorm relu conv2d(2, kernel: 3, padding: same, use_bias: false) }\n  }\n}\nglobal_avgpool' },
  {
    name: 'blocks reading in_channels, with if and repeat 0 (MobileNetV2-style)',
    input: [8, 8, 3],
    blocks: INVERTED_RESIDUAL_BLOCKS,
    body: 'conv2d(4, kernel: 3, padding: same)\nStage(1, 4, 1, 1)\nStage(2, 6, 2, 2)\nglobal_avgpool',
  },
];

const ROOT = resolve(__dirname, '../..');

function specText(c: Case): string {
  const body = c.body.split('\n').map((l) => `  ${l}`).join('\n');
  const classes = c.classes === undefined ? '' : `  classes: ${c.classes}\n`;
  return `${c.blocks ? `${c.blocks}\n\n` : ''}model Case {\n  input: [${c.input.join(', ')}]\n${classes}${body}\n}\n`;
}

interface Prepared {
  readonly c: Case;
  readonly model: ModelAnalysis;
  readonly path: string;
  readonly source: string;
}

/** The catalogue entries a model's rows use, nested ones (bidirectional's layer) included. */
function entriesUsed(model: ModelAnalysis): string[] {
  const names: string[] = [];
  for (const row of model.rows) {
    if (row.kind !== 'layer' || !row.entry) continue;
    names.push(row.entry.name);
    for (const value of Object.values(row.args ?? {})) {
      const nested = value as NestedLayer | undefined;
      if (nested && typeof nested === 'object' && 'entry' in nested) names.push(nested.entry.name);
    }
  }
  return names;
}

const dir = mkdtempSync(join(tmpdir(), 'modelspec-export-catalog-'));
// The scratch folder goes when the file's tests are done.
after(() => rmSync(dir, { recursive: true, force: true }));
/** Each case's spec, checked and exported; `problem` says why one could not be. */
const prepared: (Prepared & { readonly problem?: string })[] = CASES.map((c, i) => {
  const file = join(dir, `case_${i}.model`);
  const text = specText(c);
  writeFileSync(file, text);
  const analysis = analyze(text, { file, host: createNodeHost() });
  const model = analysis.models[0];
  const path = join(dir, `case_${i}.py`);
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  if (errors.length) return { c, model, path, source: '', problem: `the spec has errors:\n${text}\n${errors.join('\n')}` };
  try {
    const files = projectFiles({ analysis, text, model: model.name, outDir: dir, version: 'test' });
    const source = files.find((f) => f.path === 'model.py')!.data as string;
    writeFileSync(path, source);
    return { c, model, path, source };
  } catch (err) {
    return { c, model, path, source: '', problem: `the export fails: ${(err as Error).message}\n${text}` };
  }
});
const exported = prepared.filter((p) => p.problem === undefined);

interface Measured {
  readonly id: number;
  readonly params: number;
  readonly buffers: number;
  readonly inputShape: number[];
  readonly outputShapeConstant: number[];
  readonly shape: number[];
  readonly macs: number;
  readonly unused: string[];
  readonly softmax?: boolean;
  readonly constant?: boolean;
  readonly error?: string;
}

let measured: Promise<Measured[]> | undefined;
function measure(): Promise<Measured[]> {
  measured ??= (async () => {
    const python = await torchPython();
    const manifest = join(dir, 'cases.json');
    writeFileSync(manifest, JSON.stringify(exported.map((p, id) => ({ id, path: p.path, tokens: p.c.tokens, softmax: p.c.softmax, constant: p.c.constant }))));
    const run = await runPython(python, [join(ROOT, 'tests/export/measure_torch.py'), manifest], { timeoutMs: 120_000 });
    assert.equal(run.status, 0, `measure_torch.py failed:\n${run.stderr}`);
    return JSON.parse(run.stdout) as Measured[];
  })();
  return measured;
}

test('every case is a clean spec that exports to PyTorch', () => {
  const problems = prepared.filter((p) => p.problem !== undefined).map((p) => `${p.c.name}: ${p.problem}`);
  assert.deepEqual(problems, []);
});

test('every layer entry of the catalogue has a case here, and each exports to PyTorch code', () => {
  const covered = new Set(exported.flatMap((p) => entriesUsed(p.model)));
  // A new layer entry without a case (or without a torch form that writes code) fails here.
  assert.deepEqual([...covered].sort(), layerNames().sort());
  for (const p of exported) assert.match(p.source, /def build_model\(\) -> nn\.Module:\n/, p.c.name);
});

test('every helper class of torch_helpers.py is used by some case', () => {
  const helpers = pythonSections('torch_helpers.py').map((s) => s.name);
  const unused = helpers.filter((h) => !exported.some((p) => new RegExp(`^class ${h}\\(`, 'm').test(p.source)));
  assert.deepEqual(unused, []);
});

test('PyTorch imports every exported model.py and runs it forwards and backwards', async () => {
  const results = await measure();
  assert.equal(results.length, exported.length);
  for (const r of results) {
    const p = exported[r.id];
    assert.equal(r.error, undefined, `${p.c.name}:\n${p.source}\n${r.error}`);
    assert.deepEqual(r.inputShape, [...p.model.inputShape!], p.c.name);
    assert.deepEqual(r.outputShapeConstant, [...p.model.outputShape!], p.c.name);
    // Every counted parameter takes part in the forward pass (a tied table once, as the embedding's).
    assert.deepEqual(r.unused, [], `${p.c.name}: parameters without a gradient`);
  }
});

test("parameters equal the estimate's totals.torch.params exactly, buffers totals.torch.buffers", async () => {
  const results = await measure();
  for (const r of results) {
    const { c, model } = exported[r.id];
    if (r.error) assert.fail(`${c.name}: ${r.error}`);
    assert.equal(BigInt(r.params), model.totals.torch.params, `${c.name}: PyTorch counts ${r.params} parameters, the estimate ${model.totals.torch.params}`);
    assert.equal(BigInt(r.buffers), model.totals.torch.buffers, `${c.name}: PyTorch counts ${r.buffers} buffers, the estimate ${model.totals.torch.buffers}`);
  }
  // The cases are not all trivially empty: recurrent ones carry PyTorch's second bias, batch norms buffers.
  assert.ok(exported.some((p) => p.model.totals.torch.params !== p.model.totals.trainable));
  assert.ok(results.filter((r) => r.buffers > 0).length >= 8);
});

test('a batch of 2 comes out in the estimated output shape', async () => {
  const results = await measure();
  for (const r of results) {
    const { c, model } = exported[r.id];
    if (r.error) assert.fail(`${c.name}: ${r.error}`);
    assert.deepEqual(r.shape, [2, ...model.outputShape!], c.name);
  }
});

test("multiply-accumulates measured with forward hooks equal the estimate's totals.macs (exactly, in every case)", async () => {
  const results = await measure();
  for (const r of results) {
    const { c, model } = exported[r.id];
    if (r.error) assert.fail(`${c.name}: ${r.error}`);
    const estimate = Number(model.totals.macs);
    // Within 1 %, and exactly: the counts agree to the unit in every case, so any difference is a real one.
    assert.ok(Math.abs(r.macs - estimate) <= 0.01 * estimate, `${c.name}: measured ${r.macs} MACs, estimated ${estimate}`);
    assert.equal(BigInt(r.macs), model.totals.macs, `${c.name}: measured ${r.macs} MACs, estimated ${estimate}`);
  }
  assert.ok(results.filter((r) => r.macs > 0).length > CASES.length / 2);
});

test('softmax runs over the spec’s last axis and pools leave padding out, whatever the layout', async () => {
  const results = await measure();
  for (const r of results) {
    const { c } = exported[r.id];
    if (r.error) assert.fail(`${c.name}: ${r.error}`);
    if (c.softmax) assert.equal(r.softmax, true, `${c.name}: the output does not sum to 1 over its last axis`);
    if (c.constant !== undefined) assert.equal(r.constant, true, `${c.name}: a constant ${c.constant} input does not come out unchanged`);
  }
});
