"""Forgets to divide: returns the total loss instead of the mean per example.

kills: mean_over_examples_not_batches, dataloader_with_smaller_last_batch, matches_mean_loss, reshapes_labels, uses_the_given_loss
"""


def evaluate_loss(net, data_iter, loss):
    total = 0.0
    for X, y in data_iter:
        out = net(X)
        total += float(loss(out, y.reshape(out.shape)).sum())
    return total
