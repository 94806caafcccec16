"""LeNet (卷积神经网络 LeNet): the first convolutional network that worked in practice.

Two convolution blocks (convolution, sigmoid, average pooling) turn a 28 x 28 image into
16 feature maps of 5 x 5; three fully connected layers (with sigmoids between them) turn
those 400 numbers into 10 class scores.

The two small modules below are the ones the lesson uses: ``Reshape`` makes any batch of
784-pixel images a (b, 1, 28, 28) tensor, ``Flatten`` turns (b, c, h, w) into (b, c*h*w).
You may use them, or ``nn.Flatten()``, or write a module with your own ``forward``.
"""
import torch
from torch import nn


class Flatten(torch.nn.Module):
    """(b, c, h, w) -> (b, c * h * w): keeps the batch dimension, flattens the rest."""

    def forward(self, x):
        return x.view(x.shape[0], -1)


class Reshape(torch.nn.Module):
    """Any batch of 28 x 28 images -> (b, 1, 28, 28) (batch, channel, height, width)."""

    def forward(self, x):
        return x.view(-1, 1, 28, 28)


def lenet():
    """Return the lesson's LeNet as a network (an ``nn.Module``, e.g. an ``nn.Sequential``).

    Input: a batch of images of shape (b, 1, 28, 28).  Output: (b, 10) class scores.
    Layers, in order (shapes for one image):

        convolution, 6 output channels, 5 x 5 kernel, padding 2     1 x 28 x 28 -> 6 x 28 x 28
        sigmoid
        average pooling, 2 x 2 window, stride 2                      6 x 28 x 28 -> 6 x 14 x 14
        convolution, 16 output channels, 5 x 5 kernel, no padding   6 x 14 x 14 -> 16 x 10 x 10
        sigmoid
        average pooling, 2 x 2 window, stride 2                    16 x 10 x 10 -> 16 x 5 x 5
        flatten                                                     16 x 5 x 5 -> 400
        fully connected 400 -> 120, sigmoid
        fully connected 120 -> 84, sigmoid
        fully connected 84 -> 10 (no activation: these are the scores)

    Every convolution and fully connected layer has a bias: 61,706 parameters in all.

    Example:
        >>> net = lenet()
        >>> net(torch.rand(2, 1, 28, 28)).shape
        torch.Size([2, 10])
        >>> sum(p.numel() for p in net.parameters())
        61706
    """
    # BEGIN SOLUTION
    return nn.Sequential(
        Reshape(),
        nn.Conv2d(in_channels=1, out_channels=6, kernel_size=5, padding=2),  # b*1*28*28 => b*6*28*28
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),                               # b*6*28*28 => b*6*14*14
        nn.Conv2d(in_channels=6, out_channels=16, kernel_size=5),            # b*6*14*14 => b*16*10*10
        nn.Sigmoid(),
        nn.AvgPool2d(kernel_size=2, stride=2),                               # b*16*10*10 => b*16*5*5
        Flatten(),                                                           # b*16*5*5 => b*400
        nn.Linear(in_features=16 * 5 * 5, out_features=120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        nn.Sigmoid(),
        nn.Linear(84, 10),
    )
    # END SOLUTION
