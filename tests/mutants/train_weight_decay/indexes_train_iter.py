"""Reads the minibatches by position (train_iter[i] for i in range(len(train_iter))): a list
allows it, but a DataLoader (what the book's load_array returns) cannot be indexed, so training
stops with a TypeError.  Go through train_iter with for X, y in train_iter.

kills: matches_concise_implementation, matches_torch_weight_decay
"""


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    for epoch in range(num_epochs):
        for i in range(len(train_iter)):
            X, y = train_iter[i]
            l = squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w)
            l.sum().backward()
            sgd([w, b], lr, batch_size)
    return torch.norm(w).item()
