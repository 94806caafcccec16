"""Calls torch's own dropout: right values, but the exercise is to write it.

kills: does_not_call_builtin
"""
import torch.nn.functional as F


def dropout(X, drop_prob):
    X = X.float()
    assert 0 <= drop_prob <= 1
    return F.dropout(X, drop_prob, training=True)
