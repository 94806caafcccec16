"""Applies an activation inside corr2d, mixing up the operation and the layer.

kills: linear_in_the_input, matches_conv2d
"""
import torch


def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return torch.relu(Y)
