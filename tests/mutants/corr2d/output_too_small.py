"""Forgets the + 1 in the output size: (h - kh, w - kw).

kills: book_example, output_shape, matches_conv2d, creates_tensors_on_input_device, is_vectorised
"""
import torch


def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h, X.shape[1] - w))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
