"""Keeps the weights from masked_softmax but gets the output from torch's
scaled_dot_product_attention: right values, but the exercise is to write it.

kills: does_not_call_sdpa
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
        self.attention_weights = masked_softmax(scores, valid_lens)
        mask = self.attention_weights > 0
        return nn.functional.scaled_dot_product_attention(
            queries, keys, values, attn_mask=mask,
            dropout_p=self.dropout.p if self.training else 0.0)
