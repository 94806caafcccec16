"""Never adds the penalty: plain linear regression whatever lambd is.

kills: matches_concise_implementation, weight_decay_shrinks_weights, matches_torch_weight_decay
"""


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for epoch in range(num_epochs):
        for X, y in train_iter:
            squared_loss(linreg(X, w, b), y).sum().backward()
            sgd([w, b], lr, batch_size)
    return torch.norm(w).item()
