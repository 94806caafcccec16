"""Stores the bias as a plain tensor: it is not a parameter, so it is never learnt.

kills: has_weight_and_bias, forward_book_example, forward_matches_corr2d_plus_bias
"""
import torch
from torch import nn


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = torch.zeros(1)

    def forward(self, x):
        return corr2d(x, self.weight) + self.bias
