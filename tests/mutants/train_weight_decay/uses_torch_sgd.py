"""The book's concise implementation, torch.optim.SGD(weight_decay=...): right values, not this exercise.

kills: training_does_not_call_builtin
"""


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    trainer = torch.optim.SGD([{"params": [w], "weight_decay": lambd}, {"params": [b]}], lr=lr)
    for epoch in range(num_epochs):
        for X, y in train_iter:
            trainer.zero_grad()
            squared_loss(linreg(X, w, b), y).mean().backward()
            trainer.step()
    return torch.norm(w).item()
