"""Creates the kernel with requires_grad=True but not as nn.Parameter: it is not registered.

kills: has_weight_and_bias, learns_edge_kernel, forward_book_example, forward_matches_corr2d_plus_bias
"""
import torch
from torch import nn


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = torch.rand(kernel_size, requires_grad=True)
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
