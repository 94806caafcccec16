# Generated from solutions/dropout.py by `grade generate`: edit the code below, keep the names.
"""Dropout (丢弃法).

Dropout fights overfitting: during training, every hidden unit is dropped (set to zero) with
probability ``drop_prob``, and the units that are kept are stretched by ``1 / (1 - drop_prob)``
so that the expected value of every unit stays the same.

The exercises follow the book: the function ``dropout``, then the network ``DropoutMLP`` that
uses it after each of its two hidden layers, in training mode only.
"""
import torch
from torch import nn


def dropout(X, drop_prob):
    """Inverted dropout of the tensor ``X``.

    X:         a tensor of any shape (and any dtype: convert it to float first).
    drop_prob: the probability of dropping an element, 0 <= drop_prob <= 1; anything else
               is an error (``assert`` it, or raise ValueError).

    Returns a float tensor of X's shape: each element independently set to 0 with
    probability ``drop_prob``, the kept ones divided by ``1 - drop_prob``.
    ``drop_prob == 0`` returns X (as float) unchanged; ``drop_prob == 1`` returns zeros.

    Example (one possible outcome; the mask is random):
        >>> dropout(torch.arange(8).reshape(2, 4), 0.5)
        tensor([[ 0.,  2.,  0.,  6.],
                [ 8.,  0., 12.,  0.]])

    Use ``torch.rand``; do not call ``torch.nn.functional.dropout``.
    """
    # TODO: write your code here
    raise NotImplementedError


# The book's drop probabilities, at module level as in the book: its Net.forward reads these
# two names, so the book's class works here unchanged.
dropout1, dropout2 = 0.2, 0.5


class DropoutMLP(nn.Module):
    """The book's multilayer perceptron with two hidden layers and dropout after each.

    DropoutMLP(num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True,
               dropout1=0.2, dropout2=0.5)
    has three fully connected layers, registered in this order:
        lin1 = nn.Linear(num_inputs, num_hiddens1)
        lin2 = nn.Linear(num_hiddens1, num_hiddens2)
        lin3 = nn.Linear(num_hiddens2, num_outputs)
    and no other parameters.  ``is_training`` sets the mode the network starts in
    (``self.training = is_training``, as in the book); ``net.train()`` and ``net.eval()``
    switch it later.

    forward(X): X of shape (batch, ...) with num_inputs elements per example is reshaped to
    (-1, num_inputs); then
        H1 = relu(lin1(X)),  and in training mode H1 = dropout(H1, dropout1)
        H2 = relu(lin2(H1)), and in training mode H2 = dropout(H2, dropout2)
        returns lin3(H2), of shape (batch, num_outputs).
    Use your own ``dropout`` (above), not nn.Dropout or F.dropout.  In evaluation mode
    (``self.training`` False) nothing is dropped: the network is a plain MLP.

    The drop probabilities: the book reads the module-level names ``dropout1`` and
    ``dropout2`` (0.2 and 0.5, defined above this class); this signature also takes them as
    keyword arguments with the same defaults.  Either way works: the graded checks use the
    defaults 0.2 and 0.5.

    Example:
        >>> net = DropoutMLP(784, 10, 256, 256)
        >>> net(torch.rand(2, 1, 28, 28)).shape      # training mode: random, changes each call
        torch.Size([2, 10])
        >>> net.eval()(torch.ones(1, 784)).shape     # evaluation mode: deterministic
        torch.Size([1, 10])
    """

    def __init__(self, num_inputs, num_outputs, num_hiddens1, num_hiddens2, is_training=True,
                 dropout1=0.2, dropout2=0.5):
        # TODO: write your code here
        raise NotImplementedError

    def forward(self, X):
        """X (batch, ...) -> (batch, num_outputs); drops hidden units only in training mode."""
        # TODO: write your code here
        raise NotImplementedError
