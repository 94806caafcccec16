"""Builds the (query, key) pairs by hand with repeat / repeat_interleave in the wrong order,
then reshapes: position (i, j) no longer holds query i with key j (right only for one query).

kills: additive_permutation_equivariant, matches_reference
"""
import torch
from torch import nn


class AdditiveAttention(nn.Module):
    def __init__(self, key_size, query_size, num_hiddens, dropout, **kwargs):
        super().__init__(**kwargs)
        self.W_k = nn.Linear(key_size, num_hiddens, bias=False)
        self.W_q = nn.Linear(query_size, num_hiddens, bias=False)
        self.w_v = nn.Linear(num_hiddens, 1, bias=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        b, nq, nk = queries.shape[0], queries.shape[1], keys.shape[1]
        queries, keys = self.W_q(queries), self.W_k(keys)
        pairs = queries.repeat(1, nk, 1) + keys.repeat_interleave(nq, dim=1)
        features = torch.tanh(pairs.reshape(b, nq, nk, -1))
        scores = self.w_v(features).squeeze(-1)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
