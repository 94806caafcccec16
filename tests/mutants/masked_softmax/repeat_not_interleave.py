"""Repeats a 1-D valid_lens with .repeat (whole tensor: [2, 3] -> [2, 3, 2, 3]) instead of
repeat_interleave ([2, 2, 3, 3]): the queries of one batch element get different lengths.

kills: book_example_1d, one_length_per_batch_element
"""
import torch
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = valid_lens.repeat(shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens[:, None]
    X = X.reshape(-1, shape[-1]).masked_fill(~mask, -1e6)
    return nn.functional.softmax(X.reshape(shape), dim=-1)
