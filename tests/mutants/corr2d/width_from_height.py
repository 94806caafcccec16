"""Uses the input's height for both output dimensions (only right for square inputs).

kills: output_shape, shifting_input_shifts_output, edge_detection_example
"""
import torch


def corr2d(X, K):
    h, w = K.shape
    Y = torch.zeros((X.shape[0] - h + 1, X.shape[0] - w + 1))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i:i + h, j:j + w] * K).sum()
    return Y
