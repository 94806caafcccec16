"""Steps with w = w - ...: new tensors each step; the caller's w and b never change.

kills: matches_concise_implementation, weight_decay_shrinks_weights, returns_norm_of_w, matches_torch_weight_decay
"""


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            gw, gb = torch.autograd.grad(l.sum(), [w, b])
            w = (w - lr * gw / batch_size).detach().requires_grad_(True)
            b = (b - lr * gb / batch_size).detach().requires_grad_(True)
    return torch.norm(w).item()
