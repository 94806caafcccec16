"""Calls the book's sequence_mask without value=-1e6: masked scores become 0, which still
get weight after the softmax.

kills: book_example_1d, book_example_2d, masked_positions_get_zero_weight, matches_oracle, one_length_per_batch_element, one_length_per_query
"""
import torch
from torch import nn


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


def masked_softmax(X, valid_lens):
    if valid_lens is None:
        return nn.functional.softmax(X, dim=-1)
    shape = X.shape
    if valid_lens.dim() == 1:
        valid_lens = torch.repeat_interleave(valid_lens, shape[1])
    else:
        valid_lens = valid_lens.reshape(-1)
    X = sequence_mask(X.reshape(-1, shape[-1]).clone(), valid_lens)
    return nn.functional.softmax(X.reshape(shape), dim=-1)
