"""The older sgd (no zeroing) with the newer training loop (no zeroing): gradients pile up.

kills: matches_concise_implementation, weight_decay_shrinks_weights, matches_torch_weight_decay
"""


def sgd(params, lr, batch_size):
    for param in params:
        param.data -= lr * param.grad / batch_size


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
    return torch.norm(w).item()
