"""The same block written with keyword arguments and inplace ReLUs.

advice: none
"""
import torch
from torch import nn


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    blk = nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=kernel_size,
                                  stride=strides, padding=padding),
                        nn.ReLU(inplace=True),
                        nn.Conv2d(out_channels, out_channels, kernel_size=1),
                        nn.ReLU(inplace=True),
                        nn.Conv2d(out_channels, out_channels, kernel_size=1),
                        nn.ReLU(inplace=True))
    return blk
