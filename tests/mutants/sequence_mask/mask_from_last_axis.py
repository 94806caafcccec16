"""Takes num_steps from the last axis (X.size(-1)): right for 2-D inputs only.

kills: book_example_with_value, matches_arange_mask
"""
import torch


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(-1)
    mask = torch.arange(maxlen, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X
