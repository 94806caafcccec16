"""Forgets the + 1 (counts the steps, not the positions).

kills: book_examples, matches_conv2d
"""


def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    p_h, p_w = (padding, padding) if isinstance(padding, int) else padding
    s_h, s_w = (stride, stride) if isinstance(stride, int) else stride
    return ((input_shape[0] - kernel_shape[0] + 2 * p_h) // s_h,
            (input_shape[1] - kernel_shape[1] + 2 * p_w) // s_w)
