"""Gives the bias the kernel's shape instead of (1,).

kills: has_weight_and_bias, forward_book_example, learns_edge_kernel, forward_matches_corr2d_plus_bias
"""
import torch
from torch import nn


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(kernel_size))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias.sum()
