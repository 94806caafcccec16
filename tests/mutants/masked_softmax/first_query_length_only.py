"""Treats a 2-D valid_lens like a 1-D one by taking only its first column (valid_lens[:, 0]).

kills: book_example_2d, one_length_per_query, matches_oracle
"""
import torch
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 2:
        valid_lens = valid_lens[:, 0]
    valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens[:, None]
    X = X.reshape(-1, shape[-1]).masked_fill(~mask, -1e6)
    return nn.functional.softmax(X.reshape(shape), dim=-1)
