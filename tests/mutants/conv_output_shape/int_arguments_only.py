"""Handles padding and stride only as ints: a (height, width) pair breaks it.

kills: book_examples, matches_conv2d
"""


def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    n_h, n_w = input_shape
    k_h, k_w = kernel_shape
    return (n_h - k_h + 2 * padding) // stride + 1, (n_w - k_w + 2 * padding) // stride + 1
