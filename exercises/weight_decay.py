# Generated from solutions/weight_decay.py by `grade generate`: edit the code below, keep the names.
"""Weight decay (权重衰减): L2 regularisation of linear regression, from scratch.

Weight decay adds the penalty λ ||w||^2 / 2 to the loss, so that minibatch SGD shrinks the
weights at every step:
    w <- (1 - lr * λ) w - lr * (the mean gradient of the data loss over the minibatch).
The book trains a linear regression with 200 inputs on only 20 examples: without the penalty
it overfits (the training loss goes to 0, the test loss stays high) and ||w|| stays large;
with λ = 3 the weights shrink and the test loss drops.

``linreg`` and ``squared_loss`` are the book's d2l.linreg and d2l.squared_loss, given here so
that the book's code runs without d2l.
"""
import torch


def linreg(X, w, b):
    """The linear regression model X @ w + b (the book's d2l.linreg)."""
    return torch.matmul(X, w) + b


def squared_loss(y_hat, y):
    """Squared loss per example, (y_hat - y)^2 / 2, unreduced (the book's d2l.squared_loss)."""
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def l2_penalty(w):
    """The L2 norm penalty ||w||^2 / 2: half the sum of the squares of all elements of w.

    w: a tensor of any shape (in the book, the (num_inputs, 1) weight of a linear regression).

    Returns a 0-dimensional tensor, differentiable with respect to w (its gradient is w
    itself), so that lambd * l2_penalty(w) can be added to the loss before backward().  Do not
    convert it to a Python number (.item(), float()): autograd could not follow it.

    Example:
        >>> l2_penalty(torch.tensor([[1.], [2.], [-3.]]))
        tensor(7.)
    """
    # TODO: write your code here
    raise NotImplementedError


def sgd(params, lr, batch_size):
    """Minibatch stochastic gradient descent (the book's d2l.sgd): one step, in place.

    params: a list of tensors with requires_grad=True whose .grad holds the gradient of the
       *summed* loss of a minibatch (the book calls l.sum().backward()).
    lr: the learning rate; batch_size: the number of examples of the minibatch.

    Updates every tensor of params *in place*: param <- param - lr * param.grad / batch_size
    (dividing by batch_size turns the gradient of the sum into the gradient of the mean).
    The tensors must stay the same objects, since the model keeps using them: write
    ``param -= ...`` inside ``with torch.no_grad():`` (or ``param.data -= ...``), not
    ``param = param - ...``, which only rebinds a local name.  Zeroing the gradients afterwards
    (param.grad.zero_(), as the book's newer version does) is allowed but not required.
    Returns nothing.

    Example: a parameter [1., -2.] with gradient [2., 4.], lr = 0.5 and batch_size = 2
    becomes [1. - 0.5 * 2 / 2, -2. - 0.5 * 4 / 2] = [0.5, -3.].

    Do not use torch.optim.SGD: write the update yourself.
    """
    # TODO: write your code here
    raise NotImplementedError


def train_weight_decay(lambd, w, b, train_iter, num_epochs, lr, batch_size):
    """The book's train(lambd): linear regression with weight decay, from scratch.

    lambd: the weight-decay strength λ >= 0 (λ = 0: no weight decay).
    w: the weight, a (num_inputs, 1) tensor with requires_grad=True; b: the bias, a (1,)
       tensor with requires_grad=True (what the book's init_params() returns).
    train_iter: an iterable of minibatches (X, y), X of shape (batch_size, num_inputs) and y
       of shape (batch_size, 1) — a list or a DataLoader; go through it once per epoch.
    num_epochs, lr, batch_size: as in the book (every minibatch has batch_size examples).

    For every minibatch, in every epoch: the loss of each example is
    squared_loss(linreg(X, w, b), y) + lambd * l2_penalty(w); call backward() on their sum,
    then take one step of your sgd([w, b], lr, batch_size).  Make sure the gradients do not
    accumulate from one minibatch to the next (zero them in sgd, or before backward()).

    Updates w and b in place and returns the L2 norm of the trained w as a Python float
    (torch.norm(w).item(), what the book prints).  With the book's data, λ = 3 gives a much
    smaller norm than λ = 0.

    Use your l2_penalty and sgd: not torch.optim.SGD (whose weight_decay option is the book's
    concise implementation).
    """
    # TODO: write your code here
    raise NotImplementedError
