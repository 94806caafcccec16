"""Always calls repeat_interleave, also on a 2-D valid_lens: it flattens the tensor and
repeats every length num_queries times, so the mask has num_queries times too many rows (an
IndexError as soon as num_queries > 1).

kills: book_example_2d, one_length_per_query, matches_oracle
"""
import torch
from torch import nn


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    X = X.reshape(-1, shape[-1]).clone()
    mask = torch.arange(shape[-1], device=X.device)[None, :] < valid_lens[:, None]
    X[~mask] = -1e6
    return nn.functional.softmax(X.reshape(shape), dim=-1)
