"""An explicit loop over the channels, accumulating into the first channel's result.

advice: none
"""


def corr2d_multi_in(X, K):
    Y = corr2d(X[0], K[0])
    for c in range(1, X.shape[0]):
        Y = Y + corr2d(X[c], K[c])
    return Y
