"""Flattens with torch.flatten(x).unsqueeze(0): the whole batch becomes one vector, given back a
batch axis of 1.  Right for the docstring's single image, but a batch of b images reaches the
first fully connected layer as one row of b * 6400 numbers (flatten from axis 1: nn.Flatten()).

kills: alexnet_stage_shapes
"""
import torch
from torch import nn


class FlattenImage(nn.Module):
    def forward(self, x):
        return torch.flatten(x).unsqueeze(0)


def alexnet():
    return nn.Sequential(
        nn.Conv2d(1, 96, kernel_size=11, stride=4, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(96, 256, kernel_size=5, padding=2), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        nn.Conv2d(256, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, kernel_size=3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2),
        FlattenImage(),
        nn.Linear(6400, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Dropout(p=0.5),
        nn.Linear(4096, 10))
