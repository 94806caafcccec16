"""Forgets the max pooling at the end of the block: height and width are not halved.

kills: vgg_block_stage_shapes, vgg_block_forward_matches_reference
"""
import torch
from torch import nn


def vgg_block(num_convs, in_channels, out_channels):
    layers = []
    for _ in range(num_convs):
        layers.append(nn.Conv2d(in_channels, out_channels, kernel_size=3, padding=1))
        layers.append(nn.ReLU())
        in_channels = out_channels
    return nn.Sequential(*layers)
