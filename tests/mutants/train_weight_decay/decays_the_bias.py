"""Penalises the bias too: l2_penalty(w) + l2_penalty(b).

kills: matches_concise_implementation, matches_torch_weight_decay
"""


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for epoch in range(num_epochs):
        for X, y in train_iter:
            l = squared_loss(linreg(X, w, b), y) + lambd * (l2_penalty(w) + l2_penalty(b))
            l.sum().backward()
            sgd([w, b], lr, batch_size)
    return torch.norm(w).item()
