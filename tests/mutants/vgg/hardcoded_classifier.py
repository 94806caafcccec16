"""The first linear layer hard-coded as Linear(512 * 7 * 7, 4096): right for VGG-11 only.

kills: vgg_parameter_shapes, vgg_stage_shapes, vgg_forward_matches_reference
"""
import torch
from torch import nn


def vgg(conv_arch):
    conv_blks = []
    in_channels = 1
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, in_channels, out_channels))
        in_channels = out_channels
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))
