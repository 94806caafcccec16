"""flatten and the @ operator, then view back.

advice: none
"""


def corr2d_multi_in_out_1x1(X, K):
    return (K.flatten(1) @ X.flatten(1)).view(K.shape[0], *X.shape[1:])
