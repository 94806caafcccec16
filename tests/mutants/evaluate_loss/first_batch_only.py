"""Returns from inside the loop (an indentation slip): only the first batch is evaluated.

kills: mean_over_examples_not_batches, dataloader_with_smaller_last_batch, matches_mean_loss, reshapes_labels, uses_the_given_loss
"""


def evaluate_loss(net, data_iter, loss):
    total, count = 0.0, 0
    for X, y in data_iter:
        out = net(X)
        l = loss(out, y.reshape(out.shape))
        total += float(l.sum())
        count += l.numel()
        return total / count
