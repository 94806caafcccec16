"""corr2d with a matrix product (torch.mm) where the book multiplies element-wise."""
import torch


def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = torch.mm(X[i:i + h, j:j + w], K).sum()
    return Y
