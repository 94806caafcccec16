"""Uses the window's height for its width too (only right for square windows).

kills: max_matches_max_pool2d, avg_matches_avg_pool2d
"""
import torch


def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    Y = torch.zeros(X.shape[0] - p_h + 1, X.shape[1] - p_w + 1)
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            if mode == 'max':
                Y[i, j] = X[i:i + p_h, j:j + p_h].max()
            elif mode == 'avg':
                Y[i, j] = X[i:i + p_h, j:j + p_h].mean()
    return Y
