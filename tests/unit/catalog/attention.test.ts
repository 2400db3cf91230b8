import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionEntries, multihead_attention, transformer_block } from '../../../server/src/catalog/attention';
import { MAX_DIM } from '../../../server/src/catalog/common';
import { dense } from '../../../server/src/catalog/dense';
import { layernorm } from '../../../server/src/catalog/normalization';
import { embedding, positional_embedding } from '../../../server/src/catalog/sequence';
import { ok, only, runLayer } from './harness';

/** Attention MACs written out: projections, then QKᵀ and A·V over `pairs` query–key pairs. */
function attentionMacs(t: bigint, d: bigint, inner: bigint, pairs: bigint): bigint {
  return t * d * 3n * inner + t * inner * d + 2n * pairs * inner;
}

test('multihead_attention: Keras MultiHeadAttention parameter count (8 heads × 64 on width 512: 1,050,624)', () => {
  const r = ok(multihead_attention, [128, 512], { heads: 8 });
  assert.deepEqual(r.output, [128, 512]);
  // Q, K, V: 3·(512·512 + 512); output: 512·512 + 512.
  assert.equal(r.trainable, 1_050_624n);
  assert.equal(r.nonTrainable, 0n);
  assert.equal(r.macs, attentionMacs(128n, 512n, 512n, 128n * 128n));
});

test('multihead_attention: an explicit key_dim need not divide the width', () => {
  // heads·key_dim = 32 on width 10: Q, K, V 3·(10·32 + 32) = 1,056; output 32·10 + 10 = 330.
  const r = ok(multihead_attention, [6, 10], { heads: 2, key_dim: 16 });
  assert.deepEqual(r.output, [6, 10]);
  assert.equal(r.trainable, 1_386n);
  assert.equal(r.macs, 6n * 10n * 3n * 32n + 6n * 32n * 10n + 2n * 36n * 32n);
  // samples/tokens-attention.model: 4 heads of 8 on width 32.
  assert.equal(ok(multihead_attention, [32, 32], { heads: 4, key_dim: 8 }).trainable, 4_224n);
});

test('multihead_attention: use_bias: false leaves 4·d·heads·key_dim', () => {
  assert.equal(ok(multihead_attention, [16, 64], { heads: 4, use_bias: false }).trainable, 4n * 64n * 64n);
  assert.equal(ok(multihead_attention, [16, 64], { heads: 4, key_dim: 32, use_bias: false }).trainable, 4n * 64n * 128n);
});

test('causal attention counts only the unmasked triangle, T(T+1)/2 pairs', () => {
  const full = ok(multihead_attention, [10, 64], { heads: 4 });
  const causal = ok(multihead_attention, [10, 64], { heads: 4, causal: true });
  assert.equal(causal.trainable, full.trainable);
  assert.equal(full.macs, attentionMacs(10n, 64n, 64n, 100n));
  assert.equal(causal.macs, attentionMacs(10n, 64n, 64n, 55n));
  assert.equal(full.macs - causal.macs, 2n * 45n * 64n);
  // T = 1: a single position attends to itself either way.
  assert.equal(ok(multihead_attention, [1, 8], { heads: 2, causal: true }).macs, ok(multihead_attention, [1, 8], { heads: 2 }).macs);
});

test('transformer_block: GPT-2 small block has exactly 7,087,872 params', () => {
  const r = ok(transformer_block, [1024, 768], { heads: 12, ff: 3072, causal: true });
  assert.deepEqual(r.output, [1024, 768]);
  assert.equal(r.trainable, 7_087_872n);
  assert.equal(r.nonTrainable, 0n);
  // attention 2,362,368 + layer norms 3,072 + MLP 2,362,368 + 2,360,064.
  assert.equal(ok(multihead_attention, [1024, 768], { heads: 12 }).trainable + 2n * 1_536n + 768n * 3072n + 3072n + 3072n * 768n + 768n, 7_087_872n);
  // Norm placement and activation change neither count.
  for (const args of [{ norm: 'post' }, { activation: 'relu' }, { dropout: 0 }]) {
    assert.equal(ok(transformer_block, [1024, 768], { heads: 12, ff: 3072, ...args }).trainable, 7_087_872n);
  }
});

test('GPT-2 small totals 124,439,808 params from the catalogue entries', () => {
  const tokens = ok(embedding, [1024], { vocab: 50257, dim: 768 });
  const positions = ok(positional_embedding, tokens.output, { max_len: 1024 });
  const block = ok(transformer_block, positions.output, { heads: 12, ff: 3072, causal: true });
  const norm = ok(layernorm, block.output);
  const head = runLayer(dense, norm.output, { units: 50257, use_bias: false, tied: true }, { embedding: { vocab: 50257, dim: 768 } });
  assert.deepEqual(head.reports, []);
  const total = tokens.trainable + positions.trainable + 12n * block.trainable + norm.trainable + head.result!.trainable;
  assert.equal(total, 124_439_808n);
});

test('GPT-2 small forward FLOPs per token match Kaplan et al. within 1%', () => {
  const t = 1024n;
  const layers = 12n;
  const d = 768n;
  const block = ok(transformer_block, [1024, 768], { heads: 12, ff: 3072, causal: true });
  // Kaplan et al. 2020, Table 1: N = 2·d·n_layer·(2·d_attn + d_ff) non-embedding params,
  // forward ≈ 2N + 2·n_layer·n_ctx·d_attn FLOPs per token (the de-embedding is counted by the dense head).
  const n = 2n * d * layers * (2n * d + 3072n);
  const kaplan = 2n * n + 2n * layers * t * d;
  const ours = (2n * layers * block.macs) / t;
  const ratio = Number(ours) / Number(kaplan);
  assert.ok(Math.abs(ratio - 1) < 0.01, `ratio ${ratio}`);
  // The attention term alone: causal T(T+1)/2 pairs give n_layer·(T+1)·d MACs per token.
  const attentionCore = ok(transformer_block, [1024, 768], { heads: 12, ff: 3072, causal: true }).macs - t * d * 4n * d - 2n * t * d * 3072n;
  assert.equal(attentionCore, t * (t + 1n) * d);
  // Without the mask the attention term doubles, which Kaplan's count does not.
  const full = ok(transformer_block, [1024, 768], { heads: 12, ff: 3072 });
  assert.equal(full.macs - block.macs, t * (t - 1n) * d);
});

test('transformer_block MACs: attention plus 2·T·d·ff for the MLP', () => {
  const r = ok(transformer_block, [32, 64], { heads: 4, ff: 128 });
  assert.equal(r.macs, attentionMacs(32n, 64n, 64n, 32n * 32n) + 2n * 32n * 64n * 128n);
  const causal = ok(transformer_block, [32, 64], { heads: 4, ff: 128, causal: true });
  assert.equal(causal.macs, attentionMacs(32n, 64n, 64n, (32n * 33n) / 2n) + 2n * 32n * 64n * 128n);
  // samples/tokens-attention.model: attention 16,640 + norms 256 + MLP 16,576.
  assert.equal(r.trainable, 33_472n);
  const wide = ok(transformer_block, [32, 64], { heads: 4, ff: 128, key_dim: 32 });
  assert.equal(wide.trainable, 3n * (64n * 128n + 128n) + 128n * 64n + 64n + 256n + 16_576n);
});

test('heads-not-dividing: points at heads and suggests the nearest divisors', () => {
  for (const entry of [multihead_attention, transformer_block]) {
    const { result, report } = only(entry, [8, 10], { heads: 3, ff: 16 });
    assert.equal(result, undefined);
    assert.equal(report.code, 'heads-not-dividing');
    assert.equal(report.arg, 'heads');
    assert.match(report.message, new RegExp(`^${entry.name} splits the width 10 into 3 heads, but 3 does not divide 10; use heads: 1, 2, 5, 10 or set key_dim`));
    assert.deepEqual(report.data, { width: 10, heads: 3, suggestions: ['1', '2', '5', '10'] });
    // Naming key_dim lifts the constraint.
    assert.ok(ok(entry, [8, 10], { heads: 3, key_dim: 4, ff: 16 }));
  }
  // More heads than features: the largest divisors are offered.
  assert.deepEqual(only(multihead_attention, [4, 768], { heads: 1000 }).report.data?.suggestions, ['384', '768']);
  assert.deepEqual(only(multihead_attention, [4, 768], { heads: 7 }).report.data?.suggestions, ['4', '6', '8', '12']);
});

test('rank-mismatch: attention needs a [positions, features] sequence', () => {
  for (const entry of [multihead_attention, transformer_block]) {
    const ids = only(entry, [64], { heads: 4, ff: 16 });
    assert.equal(ids.result, undefined);
    assert.equal(ids.report.code, 'rank-mismatch');
    assert.match(ids.report.message, new RegExp(`^${entry.name} needs a sequence \\[positions, features\\], got \\[64\\]; if these are token ids add \`embedding\\(vocab, dim\\)\``));
    assert.deepEqual(ids.report.data, { expectedRanks: [2], actual: 1 });
    assert.match(only(entry, [8, 8, 3], { heads: 3, ff: 16 }).report.message, /to attend over pixels use `reshape\(\[64, 3\]\)`/);
  }
});

test('huge sizes stay exact and never throw (2^40 everywhere)', () => {
  const h = 2n ** 40n;
  const r = ok(multihead_attention, [MAX_DIM, MAX_DIM], { heads: MAX_DIM, key_dim: MAX_DIM, causal: true });
  const inner = h * h;
  assert.equal(r.trainable, 3n * (h * inner + inner) + inner * h + h);
  assert.equal(r.macs, attentionMacs(h, h, inner, (h * (h + 1n)) / 2n));
  const block = ok(transformer_block, [MAX_DIM, MAX_DIM], { heads: 1, ff: MAX_DIM });
  assert.equal(block.macs, attentionMacs(h, h, h, h * h) + 2n * h * h * h);
  // The divisor search is bounded by √(2^40) steps even for a width with few divisors.
  const started = Date.now();
  const odd = only(multihead_attention, [2, MAX_DIM - 87], { heads: MAX_DIM });
  assert.equal(odd.report.code, 'heads-not-dividing');
  assert.ok(Date.now() - started < 2000);
});

test('attention entries: names, family, docs and argument specs', () => {
  assert.deepEqual(attentionEntries.map((e) => e.name), ['multihead_attention', 'transformer_block']);
  for (const entry of attentionEntries) {
    assert.equal(entry.kind, 'layer');
    assert.equal(entry.family, 'attention');
    assert.ok(entry.summary && !entry.summary.includes('\n'));
    assert.match(entry.doc, /\*\*Params\*\*/);
    assert.match(entry.doc, /\*\*MACs\*\*/);
    assert.match(entry.doc, /T\(T\+1\)\/2/);
    assert.match(entry.doc, /Kaplan/);
    for (const arg of entry.args) assert.ok(arg.doc, `${entry.name}.${arg.name}`);
    assert.deepEqual(entry.inputRanks, [2]);
  }
  assert.deepEqual(multihead_attention.args.map((a) => [a.name, a.type, a.required, a.default]), [
    ['heads', 'int', true, undefined],
    ['key_dim', 'int', undefined, undefined],
    ['causal', 'bool', undefined, false],
    ['use_bias', 'bool', undefined, true],
  ]);
  assert.deepEqual(transformer_block.args.map((a) => [a.name, a.type, a.required, a.default]), [
    ['heads', 'int', true, undefined],
    ['ff', 'int', true, undefined],
    ['dropout', 'number', undefined, 0.1],
    ['norm', 'enum', undefined, 'pre'],
    ['activation', 'enum', undefined, 'gelu'],
    ['causal', 'bool', undefined, false],
    ['key_dim', 'int', undefined, undefined],
  ]);
  assert.deepEqual(transformer_block.args[3].values, ['pre', 'post']);
  assert.deepEqual(transformer_block.args[4].values, ['relu', 'gelu']);
  assert.deepEqual([transformer_block.args[2].min, transformer_block.args[2].max, transformer_block.args[2].maxExclusive], [0, 1, true]);
  assert.match(transformer_block.doc, /7,087,872/);
});
