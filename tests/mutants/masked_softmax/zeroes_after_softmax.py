"""Takes the plain softmax, then zeroes the masked weights: the rest no longer sums to 1.

kills: book_example_1d, book_example_2d, rows_sum_to_one, matches_oracle
"""
import torch
from torch import nn


def masked_softmax(X, valid_lens):
    W = nn.functional.softmax(X, dim=-1)
    if valid_lens is None:
        return W
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens[:, None]
    return (W.reshape(-1, shape[-1]) * mask).reshape(shape)
