"""Other parameter names, bias registered first, normal initialisation, and its own
vectorised (unfold) cross-correlation in forward.

advice: none
"""
import torch
from torch import nn


class Conv2D(nn.Module):
    def __init__(self, kernel_size):
        super().__init__()
        self.b = nn.Parameter(torch.zeros(1))
        self.kernel = nn.Parameter(torch.randn(*kernel_size) * 0.1)

    def forward(self, x):
        kh, kw = self.kernel.shape
        windows = x.unfold(0, kh, 1).unfold(1, kw, 1)
        return (windows * self.kernel).sum(dim=(-1, -2)) + self.b
