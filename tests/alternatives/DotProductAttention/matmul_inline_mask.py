"""Uses @ and transpose(-2, -1), masks inline with masked_fill, and F.dropout with
training=self.training.

advice: none
"""
import torch
from torch import nn
from torch.nn import functional as F


class DotProductAttention(nn.Module):
    def __init__(self, dropout, **kwargs):
        super().__init__(**kwargs)
        self.p = dropout

    def forward(self, queries, keys, values, valid_lens=None):
        scores = queries @ keys.transpose(-2, -1) * queries.shape[-1] ** -0.5
        if valid_lens is not None:
            lens = valid_lens[:, None] if valid_lens.dim() == 1 else valid_lens
            keep = torch.arange(keys.shape[1], device=keys.device) < lens[..., None]
            scores = scores.masked_fill(~keep, -1e9)
        self.attention_weights = F.softmax(scores, dim=-1)
        return F.dropout(self.attention_weights, self.p, training=self.training) @ values
