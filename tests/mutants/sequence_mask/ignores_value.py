"""Always writes 0 at the masked positions, whatever value is given.

kills: book_example_with_value, edge_lengths, matches_arange_mask, masks_with_infinite_value
"""
import torch


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange(maxlen, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = 0
    return X
