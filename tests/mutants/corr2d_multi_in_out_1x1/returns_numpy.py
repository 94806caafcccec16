"""Computes the right numbers with numpy and returns a numpy array: the docstring asks for a
tensor, so every check fails (it used to get 7/7, the "one matrix product" check included,
with no torch call at all).

kills: small_example, output_shape, matches_conv2d, one_matrix_product, does_not_call_builtin
"""
import numpy as np


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.detach().numpy().reshape((c_i, h * w))
    K = K.detach().numpy().reshape((c_o, c_i))
    return (K @ X).reshape((c_o, h, w))
