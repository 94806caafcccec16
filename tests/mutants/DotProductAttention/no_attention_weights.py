"""Computes the right output but keeps the weights in a local variable only (the course's own
notebook does this).  Only the check about the attribute fails: one missing detail costs only
its check (tests/test_partial_credit.py asserts that every other check passes).

kills: output_shapes
"""
import math

import torch
from torch import nn


class DotProductAttention(nn.Module):
    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        self.dropout = nn.Dropout(dropout)

    def forward(self, queries, keys, values, valid_lens=None):
        d = queries.shape[-1]
        scores = torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(d)
        attention_weights = masked_softmax(scores, valid_lens)
        return torch.bmm(self.dropout(attention_weights), values)
