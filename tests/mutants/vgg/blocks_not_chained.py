"""Every block gets 1 input channel: in_channels is not carried from block to block.

kills: vgg_parameter_shapes, vgg_stage_shapes, vgg_forward_matches_reference
"""
import torch
from torch import nn


def vgg(conv_arch):
    conv_blks = []
    for (num_convs, out_channels) in conv_arch:
        conv_blks.append(vgg_block(num_convs, 1, out_channels))
    return nn.Sequential(
        *conv_blks, nn.Flatten(),
        nn.Linear(out_channels * 7 * 7, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(0.5),
        nn.Linear(4096, 10))
