"""Computes the right numbers with numpy and returns a numpy array: the docstring asks for a
tensor, so every value check fails (it used to get 7/7, the "one matrix product" check
included, with no torch call at all); the forbidden-call check passes, as no forbidden call
happened (issue 13: that check fails only on a forbidden call).

kills: small_example, output_shape, matches_conv2d, one_matrix_product
"""
import numpy as np


def corr2d_multi_in_out_1x1(X, K):
    c_i, h, w = X.shape
    c_o = K.shape[0]
    X = X.detach().numpy().reshape((c_i, h * w))
    K = K.detach().numpy().reshape((c_o, c_i))
    return (K @ X).reshape((c_o, h, w))
