"""Compares arange(num_steps) with valid_len directly, without valid_len[:, None].

kills: book_example, book_example_with_value, matches_arange_mask
"""
import torch


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange(maxlen, device=X.device) < valid_len
    X[~mask] = value
    return X
