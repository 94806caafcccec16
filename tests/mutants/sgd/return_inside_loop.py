"""A return indented into the loop: only the first parameter is updated.

kills: sgd_book_example, updates_in_place, matches_torch_sgd, updates_every_parameter
"""


def sgd(params, lr, batch_size):
    for param in params:
        param.data -= lr * param.grad / batch_size
        return
