"""Sums the losses of all examples but divides by the number of batches.

kills: mean_over_examples_not_batches, dataloader_with_smaller_last_batch, matches_mean_loss, reshapes_labels, uses_the_given_loss
"""


def evaluate_loss(net, data_iter, loss):
    total, batches = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        total += float(loss(out, y.reshape(out.shape)).sum())
        batches += 1
    return total / batches
