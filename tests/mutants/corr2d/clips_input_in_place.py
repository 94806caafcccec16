"""Zeroes the input's negative values in place ("like an image"): wrong, and changes X.

kills: does_not_modify_input, matches_conv2d
"""
import torch


def corr2d(X, K):
    X[X < 0] = 0
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
