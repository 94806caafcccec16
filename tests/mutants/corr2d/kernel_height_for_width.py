"""Slices the window with the kernel's height in both directions (square kernels only).

kills: matches_conv2d, edge_detection_example
"""
import torch


def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + h] * K).sum()
    return Y
