"""The book's formula floor((n - k + p_total + s) / s) with p_total = 2 p, via a helper.

advice: none
"""


def _pair(value):
    return (value, value) if isinstance(value, int) else tuple(value)


def conv_output_shape(input_shape, kernel_shape, padding=0, stride=1):
    return tuple((n - k + 2 * p + s) // s for n, k, p, s in
                 zip(input_shape, kernel_shape, _pair(padding), _pair(stride)))
