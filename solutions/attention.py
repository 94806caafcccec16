"""Attention scoring functions (注意力分数): masked softmax, scaled dot-product attention and
additive attention.

Attention is a general weighted pooling (带权池化): a query is compared with every key by a
*scoring function*; a softmax turns the scores into attention weights (non-negative, summing to
1 over the keys); the output is the weighted sum of the values paired with the keys.  Shapes
follow the book:

    queries     (batch_size, num_queries, query_size)
    keys        (batch_size, num_kv_pairs, key_size)
    values      (batch_size, num_kv_pairs, value_size)
    valid_lens  None, (batch_size,) or (batch_size, num_queries)
    output      (batch_size, num_queries, value_size)

``valid_lens`` hides padding: only the first ``valid_len`` key-value pairs take part, the others
get weight exactly 0.
"""
import math

import torch
from torch import nn


def masked_softmax(X, valid_lens):
    """Softmax over the last axis of ``X`` that gives zero weight to masked positions.

    X: a 3-D tensor of scores, shape (batch_size, num_queries, num_keys).
    valid_lens: how many keys each row may look at, counted from the start of the last axis:
        - None: no mask, a plain softmax over the last axis;
        - a 1-D tensor of shape (batch_size,): one length per batch element, shared by all of
          its queries;
        - a 2-D tensor of shape (batch_size, num_queries): one length per query.
    Every valid length is between 1 and num_keys.  (What a row with no valid key should give
    is not defined here: the book's code gives a uniform row, a mask of -inf gives nan.)

    Returns a tensor of X's shape: along the last axis, the positions whose index is at least
    the valid length get weight 0, and the others are the softmax of their scores, so every
    row sums to 1.  The book replaces the masked scores with a very large negative value
    (-1e6), whose exponential is 0, before calling the softmax.  Scores may be large (a few
    hundred), at masked positions too: the result must stay finite.  Do not change X in place.

    Example:
        >>> masked_softmax(torch.zeros(2, 2, 4), torch.tensor([2, 3]))
        tensor([[[0.5000, 0.5000, 0.0000, 0.0000],
                 [0.5000, 0.5000, 0.0000, 0.0000]],
                [[0.3333, 0.3333, 0.3333, 0.0000],
                 [0.3333, 0.3333, 0.3333, 0.0000]]])
        >>> masked_softmax(torch.zeros(2, 2, 4), torch.tensor([[1, 3], [2, 4]]))
        tensor([[[1.0000, 0.0000, 0.0000, 0.0000],
                 [0.3333, 0.3333, 0.3333, 0.0000]],
                [[0.5000, 0.5000, 0.0000, 0.0000],
                 [0.2500, 0.2500, 0.2500, 0.2500]]])

    Do not call torch.nn.functional.scaled_dot_product_attention, torch.masked.softmax or
    torch._masked_softmax.
    """
    # BEGIN SOLUTION
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    # On the last axis, replace masked elements with a very large negative value, whose
    # exponential is 0 (masked_fill makes a new tensor: X itself is left unchanged)
    mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens[:, None]
    X = X.reshape(-1, shape[-1]).masked_fill(~mask, -1e6)
    return nn.functional.softmax(X.reshape(shape), dim=-1)
    # END SOLUTION


class DotProductAttention(nn.Module):
    """Scaled dot-product attention (缩放点积注意力).

    DotProductAttention(dropout): ``dropout`` is the drop probability applied to the attention
    weights (keep it in an nn.Dropout, so that eval() turns it off).

    forward(queries, keys, values, valid_lens=None):
        queries (batch_size, num_queries, d), keys (batch_size, num_kv_pairs, d),
        values (batch_size, num_kv_pairs, value_size), valid_lens as in masked_softmax.
        scores = queries @ keys^T / sqrt(d)     shape (batch_size, num_queries, num_kv_pairs)
        weights = masked_softmax(scores, valid_lens), kept in self.attention_weights (before
        dropout); returns dropout(weights) @ values, shape (batch_size, num_queries, value_size).
    Use torch.bmm, and keys.transpose(1, 2) to swap the last two axes of the keys.

    Example (the book's): every key is the same, so the weights are uniform over the valid
    pairs and the output is the mean of the valid values.
        >>> queries, keys = torch.normal(0, 1, (2, 1, 2)), torch.ones((2, 10, 2))
        >>> values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
        >>> attention = DotProductAttention(dropout=0.5)
        >>> attention.eval()
        >>> attention(queries, keys, values, torch.tensor([2, 6]))
        tensor([[[ 2.0000,  3.0000,  4.0000,  5.0000]],
                [[10.0000, 11.0000, 12.0000, 13.0000]]])

    Do not call torch.nn.functional.scaled_dot_product_attention or nn.MultiheadAttention.
    """

    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        # BEGIN SOLUTION
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def forward(self, queries, keys, values, valid_lens=None):
        """(batch_size, num_queries, d), (batch_size, num_kv_pairs, d), (batch_size,
        num_kv_pairs, value_size) -> (batch_size, num_queries, value_size); keeps
        self.attention_weights."""
        # BEGIN SOLUTION
        d = queries.shape[-1]
        # Swap the last two dimensions of keys with keys.transpose(1, 2)
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
        # END SOLUTION


class AdditiveAttention(nn.Module):
    """Additive attention (加性注意力): queries and keys of different sizes.

    AdditiveAttention(key_size, query_size, num_hiddens, dropout) has three weight matrices
    and no bias:
        W_k: nn.Linear(key_size, num_hiddens, bias=False)
        W_q: nn.Linear(query_size, num_hiddens, bias=False)
        w_v: nn.Linear(num_hiddens, 1, bias=False)
    and an nn.Dropout(dropout) for the attention weights.

    forward(queries, keys, values, valid_lens=None):
        queries (batch_size, num_queries, query_size), keys (batch_size, num_kv_pairs,
        key_size), values (batch_size, num_kv_pairs, value_size), valid_lens as in
        masked_softmax.  The score of query i and key j is
            w_v(tanh(W_q(q_i) + W_k(k_j)))
        computed for all pairs at once by broadcasting: W_q(queries).unsqueeze(2) has shape
        (batch_size, num_queries, 1, num_hiddens), W_k(keys).unsqueeze(1) has shape
        (batch_size, 1, num_kv_pairs, num_hiddens); their sum goes through tanh, then w_v, and
        the last axis (of size 1) is squeezed: scores (batch_size, num_queries, num_kv_pairs).
        weights = masked_softmax(scores, valid_lens), kept in self.attention_weights (before
        dropout); returns dropout(weights) @ values, shape (batch_size, num_queries, value_size).

    Example (the book's): every key is the same, so the weights are uniform over the valid
    pairs and the output is the mean of the valid values, whatever the layers' weights.
        >>> queries, keys = torch.normal(0, 1, (2, 1, 20)), torch.ones((2, 10, 2))
        >>> values = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
        >>> attention = AdditiveAttention(key_size=2, query_size=20, num_hiddens=8,
        ...                               dropout=0.1)
        >>> attention.eval()
        >>> attention(queries, keys, values, torch.tensor([2, 6]))
        tensor([[[ 2.0000,  3.0000,  4.0000,  5.0000]],
                [[10.0000, 11.0000, 12.0000, 13.0000]]])
    """

    def __init__(self, key_size, query_size, num_hiddens, dropout, **kwargs):
        super().__init__(**kwargs)
        # BEGIN SOLUTION
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)
        # END SOLUTION

    def forward(self, queries, keys, values, valid_lens=None):
        """(batch_size, num_queries, query_size), (batch_size, num_kv_pairs, key_size),
        (batch_size, num_kv_pairs, value_size) -> (batch_size, num_queries, value_size); keeps
        self.attention_weights."""
        # BEGIN SOLUTION
        queries, keys = self.W_q(queries), self.W_k(keys)
        # After the expansion, queries: (batch_size, num_queries, 1, num_hiddens) and keys:
        # (batch_size, 1, num_kv_pairs, num_hiddens); broadcasting sums every pair
        features = queries.unsqueeze(2) + keys.unsqueeze(1)
        features = torch.tanh(features)
        # w_v has a single output: remove that last axis.  scores: (batch_size, num_queries,
        # num_kv_pairs)
        scores = self.w_v(features).squeeze(-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
        # END SOLUTION
