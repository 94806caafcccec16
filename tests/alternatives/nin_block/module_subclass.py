"""A Module subclass: the 1 x 1 convolutions registered first, torch.relu in forward.

advice: none
"""
import torch
from torch import nn


class NiNBlock(nn.Module):
    def __init__(self, in_channels, out_channels, kernel_size, strides, padding):
        super().__init__()
        self.mlp1 = nn.Conv2d(out_channels, out_channels, 1)
        self.mlp2 = nn.Conv2d(out_channels, out_channels, 1)
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, strides, padding)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = torch.relu(self.mlp1(x))
        return self.mlp2(x).relu()


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    return NiNBlock(in_channels, out_channels, kernel_size, strides, padding)
