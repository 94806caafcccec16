"""Updates in place without torch.no_grad(): autograd refuses an in-place change of a leaf.

kills: sgd_book_example, updates_in_place, matches_torch_sgd, updates_every_parameter
"""


def sgd(params, lr, batch_size):
    for param in params:
        param -= lr * param.grad / batch_size
