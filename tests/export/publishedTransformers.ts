// Two published transformers written in the language as a user would, from the published
// definitions, with the sources of their numbers (tests/unit/catalog/tokens.test.ts checks
// the estimate, tests/export/published.test.ts the exported PyTorch). torchvision.models.vit_b_16() has
// 86,567,656 parameters and, counted with a TorchDispatchMode over aten.convolution, addmm
// and bmm on one 224×224 image (torch 1.13, torchvision 0.14, tests/export/published.test.ts
// measures it again), 17,563,828,224 multiply-accumulates. Hugging Face's
// bert-base-uncased (BertModel with its pooler) has 109,482,240 parameters: the model card's
// figure, and from its config (vocab 30522, hidden 768, 12 layers, intermediate 3072, 512
// positions, 2 token types): embeddings 30522·768 + 512·768 + 2·768 + LayerNorm 2·768 =
// 23,837,184; 12 layers of 7,087,872 (Q, K, V, output 4·(768² + 768), two LayerNorms 4·768,
// intermediate 768·3072 + 3072, output 3072·768 + 768) = 85,054,464; pooler 768² + 768 =
// 590,592.
//
// Where the blocks differ from the originals without changing a count: transformer_block's
// layer norms use ε = 1e-5 (torchvision's EncoderBlock 1e-6, BertLayer 1e-12); it has no
// dropout on the attention probabilities (BERT's attention_probs_dropout_prob 0.1) and one
// dropout after the MLP where torchvision's MLPBlock has one after each of its linears
// (ViT-B/16's dropout is 0, so only BERT's training differs). torchvision's head returns
// logits; the softmax here adds no weights.
export const VIT_B_16 = `
model ViTB16 {
  input: [224, 224, 3]
  classes: 1000
  conv2d(768, kernel: 16, stride: 16)
  reshape([196, 768])
  class_token
  positional_embedding(197)
  repeat 12 {
    transformer_block(heads: 12, ff: 3072, norm: pre, activation: gelu, dropout: 0)
  }
  layernorm(epsilon: 1e-6)
  take_token(0)
  dense(1000, activation: softmax)
}
`;

export const BERT_BASE = `
model BertBase {
  input: [512]
  embedding(30522, 768)
  positional_embedding(512)
  token_type_embedding(types: 2)
  layernorm(epsilon: 1e-12)
  dropout(0.1)
  repeat 12 {
    transformer_block(heads: 12, ff: 3072, norm: post, activation: gelu, dropout: 0.1)
  }
  take_token(0)
  dense(768, activation: tanh)
}
`;
