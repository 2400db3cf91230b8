# Modules that model.py may need beyond torch.nn. The exporter copies only the classes a
# model uses (and those they use) into its model.py, so each class stands alone here,
# separated from the next by two blank lines, and is written for PyTorch 1.13 and 2.x.
import math

import torch
import torch.nn.functional as F
from torch import nn


class ChannelsFirst(nn.Module):
    """[N, ..., C] (the .model file's channels-last layout) to [N, C, ...], as PyTorch's
    convolutions, pools and batch norms want it (contiguous, as their kernels prefer)."""

    def forward(self, x):
        return x.movedim(-1, 1).contiguous()


class ChannelsLast(nn.Module):
    """[N, C, ...] back to [N, ..., C], the layout the .model file's shapes are written in."""

    def forward(self, x):
        return x.movedim(1, -1)


class Reshape(nn.Module):
    """Gives each sample a new shape (the batch axis stays), elements in channels-last order."""

    def __init__(self, *shape):
        super().__init__()
        self.shape = shape

    def forward(self, x):
        return x.reshape(x.shape[0], *self.shape)

    def extra_repr(self):
        return ", ".join(str(d) for d in self.shape)


class TokenEmbedding(nn.Embedding):
    """nn.Embedding for token ids that arrive as floats (data.py keeps every feature float32),
    its table initialised as Keras and TensorFlow.js (Modelspec's other engine) initialise
    embeddings, uniform in [-0.05, 0.05], not with nn.Embedding's N(0, 1): a tied output
    (GPT-2) multiplies by this table, and rows of N(0, 1) give logits of standard deviation
    sqrt(dim) (28 for GPT-2 small), a softmax so saturated that the clipped loss is flat and
    no gradient reaches any weight."""

    def reset_parameters(self):
        nn.init.uniform_(self.weight, -0.05, 0.05)

    def forward(self, ids):
        return super().forward(ids.long())


class PositionalEmbedding(nn.Module):
    """Adds a learned vector to each position of a [N, T, d] sequence (learned absolute
    positions, as in GPT-2). The table has max_len rows whether or not T reaches it."""

    def __init__(self, max_len, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(max_len, dim))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        return x + self.weight[: x.shape[1]]


class ClassToken(nn.Module):
    """Puts one learned vector in front of every [N, T, d] sequence: [N, T+1, d] (a vision
    transformer's class token, a [1, 1, d] parameter as torchvision's class_token)."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(1, 1, dim))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        return torch.cat([self.weight.expand(x.shape[0], -1, -1), x], dim=1)


class TakeToken(nn.Module):
    """Keeps one position of an [N, T, d] sequence: [N, d]; a negative index counts from the end."""

    def __init__(self, index):
        super().__init__()
        self.index = index

    def forward(self, x):
        return x[:, self.index]

    def extra_repr(self):
        return str(self.index)


class TokenTypeEmbedding(nn.Module):
    """BERT's segment (token-type) embeddings for a model with one input: every token has
    type 0, as Hugging Face's BertModel assumes when no token_type_ids are given, so row 0 of
    the types x d table is added to every position. The table has BERT's shape all the same."""

    def __init__(self, types, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.empty(types, dim))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        return x + self.weight[0]


class Recurrent(nn.Module):
    """Runs a batch-first RNN, LSTM or GRU and keeps what the .model layer outputs: every
    step ([N, T, h], return_sequences) or the last one ([N, h]). A bidirectional one merges
    its two directions as Keras does: the backward direction's final output is the one it
    gives at step 0, having read the sequence from the end."""

    def __init__(self, rnn, return_sequences=False, merge_mode="concat"):
        super().__init__()
        self.rnn = rnn
        self.return_sequences = return_sequences
        self.merge_mode = merge_mode

    def forward(self, x):
        y, _ = self.rnn(x)
        if not self.rnn.bidirectional:
            return y if self.return_sequences else y[:, -1]
        forward, backward = y.chunk(2, dim=-1)
        if not self.return_sequences:
            forward, backward = forward[:, -1], backward[:, 0]
        if self.merge_mode == "concat":
            return torch.cat([forward, backward], dim=-1)
        if self.merge_mode == "sum":
            return forward + backward
        if self.merge_mode == "mul":
            return forward * backward
        return (forward + backward) / 2


class ElmanRNN(nn.Module):
    """A plain recurrent layer with any activation (nn.RNN offers only tanh and relu):
    h_t = activation(W_ih·x_t + b_ih + W_hh·h_(t-1) + b_hh), with nn.RNN's weights, so the
    same parameter count. Returns (outputs, None) like nn.RNN, for Recurrent."""

    def __init__(self, input_size, hidden_size, activation, bidirectional=False):
        super().__init__()
        self.hidden_size = hidden_size
        self.bidirectional = bidirectional
        self.activation = activation
        directions = 2 if bidirectional else 1
        self.input_to_hidden = nn.ModuleList(nn.Linear(input_size, hidden_size) for _ in range(directions))
        self.hidden_to_hidden = nn.ModuleList(nn.Linear(hidden_size, hidden_size) for _ in range(directions))

    def run(self, x, direction):
        steps = x.shape[1]
        projected = self.input_to_hidden[direction](x)
        h = x.new_zeros(x.shape[0], self.hidden_size)
        outputs = [h] * steps
        for t in range(steps) if direction == 0 else reversed(range(steps)):
            h = self.activation(projected[:, t] + self.hidden_to_hidden[direction](h))
            outputs[t] = h
        return torch.stack(outputs, dim=1)

    def forward(self, x):
        directions = 2 if self.bidirectional else 1
        return torch.cat([self.run(x, d) for d in range(directions)], dim=-1), None


class ResetBeforeGRU(nn.Module):
    """The original GRU (Keras's reset_after=False, TensorFlow.js's GRU), which nn.GRU is not:
    the reset gate scales the state before the recurrent product, and each gate has one bias.
      z = sigmoid(W_z x + U_z h + b_z)    r = sigmoid(W_r x + U_r h + b_r)
      n = tanh(W_n x + U_n (r * h) + b_n)    h' = z * h + (1 - z) * n
    3 (F h + h h + h) parameters. Returns (outputs, None) like nn.GRU, for Recurrent."""

    def __init__(self, input_size, hidden_size, bidirectional=False):
        super().__init__()
        self.hidden_size = hidden_size
        self.bidirectional = bidirectional
        directions = 2 if bidirectional else 1
        self.input_to_gates = nn.ModuleList(nn.Linear(input_size, 3 * hidden_size) for _ in range(directions))
        self.hidden_to_gates = nn.ModuleList(nn.Linear(hidden_size, 2 * hidden_size, bias=False) for _ in range(directions))
        self.hidden_to_candidate = nn.ModuleList(nn.Linear(hidden_size, hidden_size, bias=False) for _ in range(directions))

    def run(self, x, direction):
        steps = x.shape[1]
        projected = self.input_to_gates[direction](x)
        h = x.new_zeros(x.shape[0], self.hidden_size)
        outputs = [h] * steps
        for t in range(steps) if direction == 0 else reversed(range(steps)):
            xz, xr, xn = projected[:, t].chunk(3, dim=-1)
            hz, hr = self.hidden_to_gates[direction](h).chunk(2, dim=-1)
            z, r = torch.sigmoid(xz + hz), torch.sigmoid(xr + hr)
            n = torch.tanh(xn + self.hidden_to_candidate[direction](r * h))
            h = z * h + (1 - z) * n
            outputs[t] = h
        return torch.stack(outputs, dim=1)

    def forward(self, x):
        directions = 2 if self.bidirectional else 1
        return torch.cat([self.run(x, d) for d in range(directions)], dim=-1), None


class SelfAttention(nn.Module):
    """Multi-head self-attention (query = key = value), as Keras's MultiHeadAttention: each
    of `heads` heads projects the input to queries, keys and values of key_dim features
    (default width / heads), mixes the values with softmax(Q·K^T / sqrt(key_dim)), and an
    output projection maps the heads back to the width. `causal` lets each position see
    only itself and earlier ones."""

    def __init__(self, width, heads, key_dim=None, causal=False, bias=True):
        super().__init__()
        self.heads = heads
        self.key_dim = key_dim or width // heads
        self.causal = causal
        inner = heads * self.key_dim
        self.query = nn.Linear(width, inner, bias=bias)
        self.key = nn.Linear(width, inner, bias=bias)
        self.value = nn.Linear(width, inner, bias=bias)
        self.output = nn.Linear(inner, width, bias=bias)

    def forward(self, x):
        n, steps, _ = x.shape

        def heads(t):  # [N, T, H*k] -> [N, H, T, k]
            return t.reshape(n, steps, self.heads, self.key_dim).transpose(1, 2)

        q, k, v = heads(self.query(x)), heads(self.key(x)), heads(self.value(x))
        if hasattr(F, "scaled_dot_product_attention"):  # PyTorch 2: fused kernels
            mixed = F.scaled_dot_product_attention(q, k, v, is_causal=self.causal)
        else:
            scores = q @ k.transpose(-2, -1) / math.sqrt(self.key_dim)
            if self.causal:
                later = torch.ones(steps, steps, dtype=torch.bool, device=x.device).triu(1)
                scores = scores.masked_fill(later, float("-inf"))
            mixed = scores.softmax(dim=-1) @ v
        return self.output(mixed.transpose(1, 2).reshape(n, steps, self.heads * self.key_dim))


class TransformerBlock(nn.Module):
    """One transformer layer: self-attention and a two-layer MLP (width -> ff -> width),
    each in a residual connection with a layer norm before it (norm="pre", GPT-2) or after
    the sum (norm="post", BERT), and dropout after each while training."""

    def __init__(self, width, heads, ff, key_dim=None, dropout=0.1, norm="pre", activation="gelu", causal=False):
        super().__init__()
        self.norm = norm
        self.attention = SelfAttention(width, heads, key_dim, causal=causal)
        self.norm1 = nn.LayerNorm(width, eps=1e-5)
        self.norm2 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = nn.Sequential(nn.Linear(width, ff), nn.GELU() if activation == "gelu" else nn.ReLU(), nn.Linear(ff, width))
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        if self.norm == "pre":
            x = x + self.dropout(self.attention(self.norm1(x)))
            return x + self.dropout(self.mlp(self.norm2(x)))
        x = self.norm1(x + self.dropout(self.attention(x)))
        return self.norm2(x + self.dropout(self.mlp(x)))


class TiedLinear(nn.Module):
    """An output projection that reuses an embedding's table (weight tying, as in GPT-2):
    x·E^T, plus a bias of its own unless bias=False. The table is the embedding's own
    parameter, so it is counted and trained once."""

    def __init__(self, weight, bias=True):
        super().__init__()
        self.weight = weight
        self.bias = nn.Parameter(torch.zeros(weight.shape[0])) if bias else None

    def forward(self, x):
        return F.linear(x, self.weight, self.bias)


class Residual(nn.Module):
    """x + f(x); with a projection, projection(x) + f(x), the skip path brought to f's shape."""

    def __init__(self, branch, projection=None):
        super().__init__()
        self.branch = branch
        self.projection = projection

    def forward(self, x):
        skip = x if self.projection is None else self.projection(x)
        return self.branch(x) + skip


class Concat(nn.Module):
    """The paths' outputs, each computed from the same x, joined along `dim` (the channel axis)."""

    def __init__(self, *paths, dim):
        super().__init__()
        self.paths = nn.ModuleList(paths)
        self.dim = dim

    def forward(self, x):
        return torch.cat([path(x) for path in self.paths], dim=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GlobalPool(nn.Module):
    """The average or maximum of each channel over the steps of a sequence: [N, T, C] -> [N, C]
    with dim=1 (channels last), [N, C, T] -> [N, C] with dim=2 (channels first)."""

    def __init__(self, op, dim):
        super().__init__()
        self.op = op
        self.dim = dim

    def forward(self, x):
        return x.mean(dim=self.dim) if self.op == "avg" else x.amax(dim=self.dim)

    def extra_repr(self):
        return f"{self.op!r}, dim={self.dim}"


class PaddedAvgPool(nn.Module):
    """Average pooling with TensorFlow's uneven `same` padding (one more row or column at
    the end): the padded positions are left out of each window's average, as TensorFlow
    does. Works on [N, C, T] (one window size) and [N, C, H, W] (two)."""

    def __init__(self, kernel_size, stride, padding):
        super().__init__()
        self.kernel_size = tuple(kernel_size)
        self.stride = tuple(stride)
        self.padding = tuple(padding)

    def forward(self, x):
        pool = F.avg_pool1d if len(self.kernel_size) == 1 else F.avg_pool2d
        ones = x.new_ones(1, 1, *x.shape[2:])
        total = pool(F.pad(x, self.padding), self.kernel_size, self.stride)
        count = pool(F.pad(ones, self.padding), self.kernel_size, self.stride)
        return total / count
