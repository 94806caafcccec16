"""Forgets padding=2 in the first convolution (28 x 28 shrinks to 24 x 24), but keeps the
400-feature linear layer: the flattened maps have 16 * 4 * 4 = 256 features.

kills: stage_shapes, sigmoid_activations, forward_matches_reference
"""
import torch
from torch import nn


def lenet():
    return nn.Sequential(
        Reshape(),
        nn.Conv2d(1, 6, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),
        Flatten(),
        nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(),
        nn.Linear(120, 84), nn.Sigmoid(),
        nn.Linear(84, 10))
