"""The anchor assignment's correct student: builds rows with torch.stack.
"""
import torch


def corr2d(X, K):
    kh, kw = K.shape
    rows = []
    for i in range(X.shape[0] - kh + 1):
        row = [torch.sum(X[i:i + kh, j:j + kw] * K) for j in range(X.shape[1] - kw + 1)]
        rows.append(torch.stack(row))
    return torch.stack(rows)
