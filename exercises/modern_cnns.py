# Generated from solutions/modern_cnns.py by `grade generate`: edit the code below, keep the names.
"""Modern convolutional networks (深度卷积神经网络): AlexNet, VGG, NiN and GoogLeNet's Inception.

All the networks here take single-channel (Fashion-MNIST-like) images and output 10 class
scores, as in the book.  Every convolution and fully connected layer has a bias.  Use
``nn.Conv2d``, ``nn.ReLU``, ``nn.MaxPool2d``, ``nn.Linear``, ``nn.Dropout``... freely.

Shape arithmetic used throughout: a convolution or pooling window of size k with padding p
and stride s maps a side of length n to  (n + 2p - k) // s + 1.
"""
import torch
from torch import nn
from torch.nn import functional as F


def alexnet():
    """Return the book's AlexNet for 224 x 224 single-channel images and 10 classes.

    Input (b, 1, 224, 224), output (b, 10).  Layers, in order (shapes for one image):

        conv 96 channels, 11 x 11, stride 4, padding 1, ReLU     1 x 224 x 224 -> 96 x 54 x 54
        max pooling 3 x 3, stride 2                                             -> 96 x 26 x 26
        conv 256 channels, 5 x 5, padding 2, ReLU                               -> 256 x 26 x 26
        max pooling 3 x 3, stride 2                                             -> 256 x 12 x 12
        conv 384 channels, 3 x 3, padding 1, ReLU                               -> 384 x 12 x 12
        conv 384 channels, 3 x 3, padding 1, ReLU                               -> 384 x 12 x 12
        conv 256 channels, 3 x 3, padding 1, ReLU                               -> 256 x 12 x 12
        max pooling 3 x 3, stride 2                                             -> 256 x 5 x 5
        flatten                                                                 -> 6400
        fully connected 6400 -> 4096, ReLU, dropout with probability 0.5
        fully connected 4096 -> 4096, ReLU, dropout with probability 0.5
        fully connected 4096 -> 10

    46,764,746 parameters.  Dropout only acts in training mode (``net.train()``); in
    ``net.eval()`` mode the network is deterministic.

    Example:
        >>> net = alexnet()
        >>> net(torch.rand(1, 1, 224, 224)).shape
        torch.Size([1, 10])
    """
    # TODO: write your code here
    raise NotImplementedError


def vgg_block(num_convs, in_channels, out_channels):
    """One VGG block: ``num_convs`` convolutions (3 x 3, padding 1, each followed by a ReLU),
    then a 2 x 2 max pooling with stride 2.

    The first convolution maps in_channels -> out_channels, the others out_channels ->
    out_channels.  Convolutions keep height and width; the pooling halves them (rounding
    down).  Input (b, in_channels, h, w), output (b, out_channels, h // 2, w // 2).

    Returns an ``nn.Module`` (e.g. an ``nn.Sequential``).

    Example:
        >>> blk = vgg_block(2, 3, 8)
        >>> blk(torch.rand(1, 3, 10, 10)).shape
        torch.Size([1, 8, 5, 5])
    """
    # TODO: write your code here
    raise NotImplementedError


def vgg(conv_arch):
    """The book's VGG network for 224 x 224 single-channel images and 10 classes.

    conv_arch: a tuple of (num_convs, out_channels) pairs, one per VGG block; the first block
    takes 1 input channel, each later block takes the previous block's out_channels.  The
    book's VGG-11 is ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512)).

    The network is the ``vgg_block``s in order (five blocks halve 224 five times: 7), then
        flatten,
        fully connected (last out_channels * 7 * 7) -> 4096, ReLU, dropout 0.5,
        fully connected 4096 -> 4096, ReLU, dropout 0.5,
        fully connected 4096 -> 10.

    Input (b, 1, 224, 224) for five blocks, output (b, 10).

    Example:
        >>> net = vgg(((1, 4), (1, 8), (2, 16), (2, 32), (2, 32)))
        >>> net(torch.rand(1, 1, 224, 224)).shape
        torch.Size([1, 10])
    """
    # TODO: write your code here
    raise NotImplementedError


def nin_block(in_channels, out_channels, kernel_size, strides, padding):
    """One NiN (network in network) block.

    A convolution (in_channels -> out_channels, with the given kernel_size, stride
    ``strides`` and ``padding``) followed by two 1 x 1 convolutions (out_channels ->
    out_channels), each of the three followed by a ReLU.  The 1 x 1 convolutions act like
    fully connected layers applied at every pixel.

    Input (b, in_channels, h, w), output (b, out_channels, h', w') with
    h' = (h + 2 * padding - kernel_size) // strides + 1 (and w' likewise).

    Example:
        >>> blk = nin_block(1, 96, kernel_size=11, strides=4, padding=0)
        >>> blk(torch.rand(1, 1, 224, 224)).shape
        torch.Size([1, 96, 54, 54])
    """
    # TODO: write your code here
    raise NotImplementedError


class Inception(nn.Module):
    """GoogLeNet's Inception block: four parallel paths whose outputs are concatenated.

    in_channels: the input's channels.  c1 and c4 are integers, c2 and c3 pairs:
        path 1: 1 x 1 conv (in_channels -> c1), ReLU
        path 2: 1 x 1 conv (in_channels -> c2[0]), ReLU, 3 x 3 conv padding 1 (c2[0] -> c2[1]), ReLU
        path 3: 1 x 1 conv (in_channels -> c3[0]), ReLU, 5 x 5 conv padding 2 (c3[0] -> c3[1]), ReLU
        path 4: 3 x 3 max pooling stride 1 padding 1, 1 x 1 conv (in_channels -> c4), ReLU

    Every path keeps height and width.  The output concatenates the four paths on the
    channel dimension, in the order path 1, 2, 3, 4: input (b, in_channels, h, w), output
    (b, c1 + c2[1] + c3[1] + c4, h, w).

    Example:
        >>> blk = Inception(192, 64, (96, 128), (16, 32), 32)
        >>> blk(torch.rand(1, 192, 28, 28)).shape
        torch.Size([1, 256, 28, 28])
    """

    # c1--c4 are the numbers of output channels of each path
    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        # TODO: write your code here
        raise NotImplementedError

    def forward(self, x):
        # TODO: write your code here
        raise NotImplementedError
