"""Calls F.conv2d with padding and stride: right values, but the exercise is to write it.

kills: does_not_call_builtin
"""
import torch.nn.functional as F


def corr2d_pad_stride(X, K, padding=0, stride=1):
    return F.conv2d(X[None, None], K[None, None], padding=padding, stride=stride)[0, 0]
