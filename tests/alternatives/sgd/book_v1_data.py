"""The older book's sgd: param.data -= ..., gradients left for the training loop to zero.

advice: none
"""


def sgd(params, lr, batch_size):
    for param in params:
        param.data -= lr * param.grad / batch_size
