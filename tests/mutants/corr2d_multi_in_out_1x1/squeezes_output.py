"""Squeezes the result: with one output channel it loses the channel dimension.

kills: output_shape, matches_conv2d
"""
import torch


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    return torch.matmul(K.reshape(c_o, c_i), X.reshape(c_i, h * w)).reshape(c_o, h, w).squeeze()
