"""The first block takes 3 input channels (RGB ImageNet code) instead of the book's 1.

kills: vgg_parameter_shapes, vgg_stage_shapes, vgg_uses_dropout, vgg_forward_matches_reference
"""
import torch
from torch import nn


def vgg(conv_arch):
    conv_blks = []
    in_channels = 3
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))
