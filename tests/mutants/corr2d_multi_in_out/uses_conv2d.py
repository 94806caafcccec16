"""Calls F.conv2d: right values, but the exercise is to write it.

kills: does_not_call_builtin
"""
import torch.nn.functional as F


def corr2d_multi_in_out(X, K):
    return F.conv2d(X[None], K)[0]
