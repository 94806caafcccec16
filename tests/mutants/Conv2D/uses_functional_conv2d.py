"""The book's parameters, but forward calls F.conv2d: right values, not the exercise.

kills: does_not_call_builtin
"""
import torch
import torch.nn.functional as F
from torch import nn


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.weight = nn.Parameter(torch.rand(kernel_size))
        self.bias = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        return F.conv2d(x[None, None], self.weight[None, None])[0, 0] + self.bias
