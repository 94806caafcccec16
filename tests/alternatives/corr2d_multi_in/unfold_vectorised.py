"""Vectorised over channels and positions with Tensor.unfold.

advice: none
"""


def corr2d_multi_in(X, K):
    _, kh, kw = K.shape
    windows = X.unfold(1, kh, 1).unfold(2, kw, 1)          # (c_i, h', w', kh, kw)
    return (windows * K[:, None, None]).sum(dim=(0, -2, -1))
