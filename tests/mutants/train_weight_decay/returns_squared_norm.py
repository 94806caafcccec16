"""Returns ||w||^2 (or the penalty) instead of the norm ||w||.

kills: returns_norm_of_w
"""


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
    return (w ** 2).sum().item()
