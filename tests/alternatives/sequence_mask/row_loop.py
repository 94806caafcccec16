"""A loop over the sequences on a copy: X[i, valid_len[i]:] = value."""


def sequence_mask(X, valid_len, value=0):
    Y = X.clone()
    for i in range(Y.shape[0]):
        Y[i, int(valid_len[i]):] = value
    return Y
