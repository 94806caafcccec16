"""Builds corr2d's output from Python numbers (.item()): right values, but no gradient
reaches the kernel, so the layer cannot learn.

kills: learns_edge_kernel
"""
import torch
from torch import nn


def corr2d(X, K):
    h, w = K.shape
    return torch.tensor([[(X[i:i + h, j:j + w] * K).sum().item()
                          for j in range(X.shape[1] - w + 1)]
                         for i in range(X.shape[0] - h + 1)])


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
