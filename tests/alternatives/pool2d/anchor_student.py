"""The anchor assignment's correct student (a conditional expression per window).
"""
import torch


def pool2d(X, pool_size, mode='max'):
    ph, pw = pool_size
    Y = torch.zeros(X.shape[0] - ph + 1, X.shape[1] - pw + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            w = X[i:i + ph, j:j + pw]
            Y[i, j] = w.max() if mode == 'max' else w.mean()
    return Y
