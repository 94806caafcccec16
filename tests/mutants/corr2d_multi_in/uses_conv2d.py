"""Calls F.conv2d with one output channel: right values, but the exercise is to write it.

kills: does_not_call_builtin
"""
import torch.nn.functional as F


def corr2d_multi_in(X, K):
    return F.conv2d(X[None], K[None])[0, 0]
