"""Writes each pooled value back into X's top-left corner: the caller's tensor is changed
(the results stay right, since no later window reads that corner).

kills: does_not_modify_input
"""


def pool2d(X, pool_size, mode='max'):
    p_h, p_w = pool_size
    out_h, out_w = X.shape[0] - p_h + 1, X.shape[1] - p_w + 1
    for i in range(out_h):
        for j in range(out_w):
            window = X[i:i + p_h, j:j + p_w]
            X[i, j] = window.max() if mode == 'max' else window.mean()
    return X[:out_h, :out_w].clone()
