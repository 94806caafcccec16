"""Reshapes X to (h*w, c_i) instead of transposing it: the channels get mixed with pixels.

kills: small_example, matches_conv2d, one_matrix_product
"""
import torch


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = torch.matmul(X.reshape(h * w, c_i), K.reshape(c_i, c_o))
    return Y.reshape(c_o, h, w)
