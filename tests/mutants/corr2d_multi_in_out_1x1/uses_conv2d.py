"""Calls F.conv2d: right values, but the exercise is the matrix product.

kills: does_not_call_builtin
"""
import torch.nn.functional as F


def corr2d_multi_in_out_1x1(X, K):
    return F.conv2d(X[None], K)[0]
