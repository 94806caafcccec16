"""Reshapes K to (c_i, c_o) and transposes: the kernel's entries are scrambled.

kills: small_example, matches_conv2d, one_matrix_product
"""
import torch


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    Y = torch.matmul(K.reshape(c_i, c_o).T, X.reshape(c_i, h * w))
    return Y.reshape(c_o, h, w)
