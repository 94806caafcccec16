"""Turns the keys into (batch, d, num_kv_pairs) with reshape instead of transpose: the shape
is right, but the coordinates of different keys are mixed up.

kills: scaled_by_sqrt_d, matches_sdpa, permutation_equivariant
"""
import math

import torch
from torch import nn


class DotProductAttention(nn.Module):
    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        b, n, d = keys.shape
        scores = torch.bmm(queries, keys.reshape(b, d, n)) / math.sqrt(d)
        self.attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(self.attention_weights), values)
