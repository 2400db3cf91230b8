// Semantic tokens: what each name is, decoded from the relative encoding with the legend.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureUri, TestClient } from './client';

let client: TestClient;
const uri = fixtureUri('tokens-scratch.model');
const TEXT = `dataset D {
  source: "data/iris.csv"
  normalize: standard
}
/* two
   lines */
block B(f, k = 3) {
  dense(f)
}
model M {
  data: D // trailing
  B(4, k: 2)
  dense(3, activation: softmax, use_bias: true)
  train { optimizer: adam(learning_rate: 1e-3) }
}
compare M
`;

before(async () => {
  client = await TestClient.start();
  await client.open(uri, TEXT);
});
after(() => client.stop());

test('the legend is advertised and full documents are served', async () => {
  const provider = client.initializeResult.capabilities.semanticTokensProvider!;
  assert.ok(provider.full);
  assert.ok(provider.legend.tokenTypes.includes('enumMember'));
});

test('every name is classified by its role', async () => {
  const decoded = await client.semanticTokens(uri, TEXT, true);
  assert.deepEqual(decoded, [
    'dataset:keyword', 'D:struct+declaration',
    'source:property', '"data/iris.csv":string',
    'normalize:property', 'standard:enumMember',
    '/* two:comment',
    '   lines */:comment',
    'block:keyword', 'B:function+declaration', 'f:parameter+declaration', 'k:parameter+declaration', '3:number',
    'dense:function+defaultLibrary', 'f:parameter',
    'model:keyword', 'M:class+declaration',
    'data:property', 'D:struct', '// trailing:comment',
    'B:function', '4:number', 'k:parameter', '2:number',
    'dense:function+defaultLibrary', '3:number', 'activation:parameter', 'softmax:enumMember', 'use_bias:parameter', 'true:keyword',
    'train:keyword', 'optimizer:property', 'adam:function+defaultLibrary', 'learning_rate:parameter', '1e-3:number',
    'compare:keyword', 'M:class',
  ]);
});
