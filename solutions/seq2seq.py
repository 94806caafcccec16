"""Sequence to sequence learning (序列到序列学习, seq2seq): an RNN encoder-decoder for machine
translation, the masked loss that ignores padding, and the BLEU score.

The encoder reads the source sentence (a batch of token ids, padded to num_steps) and
summarises it in its final hidden state.  The decoder starts from that state and, at every
time step, also receives the encoder's final top-layer state (the *context*) next to the
embedding of its input token.  Training uses teacher forcing and a cross-entropy loss in which
padding positions count as zero.  BLEU compares a predicted sentence with the label sentence.

The encoder-decoder base classes below come from the book's "encoder-decoder architecture"
section: they are given (not exercises), so that ``class Seq2SeqEncoder(Encoder)`` works as in
the book.  Subclassing ``nn.Module`` directly is just as fine.
"""
import collections
import math

import torch
from torch import nn


class Encoder(nn.Module):
    """The base encoder interface of the encoder-decoder architecture (given)."""

    def __init__(self, **kwargs):
        super(Encoder, self).__init__(**kwargs)

    def forward(self, X, *args):
        """Encode X; subclasses define it."""
        raise NotImplementedError


class Decoder(nn.Module):
    """The base decoder interface of the encoder-decoder architecture (given)."""

    def __init__(self, **kwargs):
        super(Decoder, self).__init__(**kwargs)

    def init_state(self, enc_outputs, *args):
        """Turn the encoder's outputs into the decoder's initial state; subclasses define it."""
        raise NotImplementedError

    def forward(self, X, state):
        """Decode X from state; subclasses define it."""
        raise NotImplementedError


class EncoderDecoder(nn.Module):
    """The base class for the encoder-decoder architecture (given): how the two halves meet."""

    def __init__(self, encoder, decoder, **kwargs):
        super(EncoderDecoder, self).__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        """Encode enc_X, initialise the decoder's state from it, decode dec_X."""
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


class Seq2SeqEncoder(Encoder):
    """The RNN encoder of seq2seq: an embedding layer followed by a (multi-layer) GRU.

    __init__(vocab_size, embed_size, num_hiddens, num_layers, dropout=0) makes two layers:
        the embedding  nn.Embedding(vocab_size, embed_size)
        the GRU        nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)
      (``dropout`` is the GRU's dropout between its layers; the book names them
      self.embedding and self.rnn.)

    forward(X, *args):
        X: token ids, shape (batch_size, num_steps), dtype long.  Extra arguments (the book's
           EncoderDecoder passes the valid lengths) are accepted and ignored.
        Embed X to (batch_size, num_steps, embed_size), then make it *time-major*
        (num_steps, batch_size, embed_size) with permute, since nn.GRU expects the time axis
        first, and run the GRU from a zero initial state.
        Returns (output, state):
          output: the top layer's hidden state at every step, (num_steps, batch_size, num_hiddens)
          state:  every layer's final hidden state, (num_layers, batch_size, num_hiddens)

    Example (the book's):
        >>> encoder = Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
        >>> encoder.eval()
        >>> output, state = encoder(torch.zeros((4, 7), dtype=torch.long))
        >>> output.shape, state.shape
        (torch.Size([7, 4, 16]), torch.Size([2, 4, 16]))
    """

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqEncoder, self).__init__(**kwargs)
        # BEGIN SOLUTION
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)
        # END SOLUTION

    def forward(self, X, *args):
        """X (batch_size, num_steps) -> (output (num_steps, batch_size, num_hiddens),
        state (num_layers, batch_size, num_hiddens))."""
        # BEGIN SOLUTION
        # X: (batch_size, num_steps) -> (batch_size, num_steps, embed_size)
        X = self.embedding(X)
        # the GRU wants the time axis first: (num_steps, batch_size, embed_size)
        X = X.permute(1, 0, 2)
        # no state given: the GRU starts from zeros
        output, state = self.rnn(X)
        return output, state
        # END SOLUTION


class Seq2SeqDecoder(Decoder):
    """The RNN decoder of seq2seq: embedding, a GRU fed with [embedding, context], a Linear.

    __init__(vocab_size, embed_size, num_hiddens, num_layers, dropout=0) makes three layers:
        the embedding  nn.Embedding(vocab_size, embed_size)
        the GRU        nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        the output     nn.Linear(num_hiddens, vocab_size)
      (the book names them self.embedding, self.rnn and self.dense.)

    init_state(enc_outputs, *args): enc_outputs is the encoder's (output, state); the decoder
        starts from the encoder's final state, so return enc_outputs[1].  Extra arguments (the
        valid lengths, passed by the book's EncoderDecoder) are ignored.

    forward(X, state):
        X: token ids, shape (batch_size, num_steps); state: (num_layers, batch_size, num_hiddens).
        1. embed X and make it time-major: (num_steps, batch_size, embed_size);
        2. the context is the top layer of the given state, state[-1] (batch_size, num_hiddens):
           repeat it for every time step, (num_steps, batch_size, num_hiddens), and concatenate
           it to the embeddings on the last axis: (num_steps, batch_size, embed_size + num_hiddens);
        3. run the GRU on that, starting from ``state``;
        4. apply the Linear layer and go back to batch-major.
        Returns (output, state): output are logits (no softmax) of shape
        (batch_size, num_steps, vocab_size); state is the GRU's new state
        (num_layers, batch_size, num_hiddens).

    Example (the book's):
        >>> decoder = Seq2SeqDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2)
        >>> decoder.eval()
        >>> state = decoder.init_state(encoder(X))        # X, encoder: as in Seq2SeqEncoder
        >>> output, state = decoder(X, state)
        >>> output.shape, state.shape
        (torch.Size([4, 7, 10]), torch.Size([2, 4, 16]))
    """

    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqDecoder, self).__init__(**kwargs)
        # BEGIN SOLUTION
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)
        # END SOLUTION

    def init_state(self, enc_outputs, *args):
        """enc_outputs = (output, state) of the encoder -> the decoder's initial state."""
        # BEGIN SOLUTION
        return enc_outputs[1]
        # END SOLUTION

    def forward(self, X, state):
        """X (batch_size, num_steps), state (num_layers, batch_size, num_hiddens) ->
        (logits (batch_size, num_steps, vocab_size), new state)."""
        # BEGIN SOLUTION
        # (batch_size, num_steps) -> (num_steps, batch_size, embed_size)
        X = self.embedding(X).permute(1, 0, 2)
        # the context, the top layer's state, is given to every time step
        context = state[-1].repeat(X.shape[0], 1, 1)
        X_and_context = torch.cat((X, context), 2)
        output, state = self.rnn(X_and_context, state)
        # (num_steps, batch_size, vocab_size) -> (batch_size, num_steps, vocab_size)
        output = self.dense(output).permute(1, 0, 2)
        return output, state
        # END SOLUTION


def sequence_mask(X, valid_len, value=0):
    """Replace the entries of every sequence beyond its valid length with ``value``.

    X: shape (batch_size, num_steps) or (batch_size, num_steps, ...): sequence i is X[i].
    valid_len: shape (batch_size,), integers between 0 and num_steps.
    Every position j >= valid_len[i] along axis 1 is set to ``value`` (for a 3-D X, the whole
    X[i, j, :]); positions j < valid_len[i] keep their values.  Returns X.  The book changes X in
    place and returns it; returning a new tensor is fine too.  ``value`` may be any number,
    also -inf.

    Example (the book's):
        >>> X = torch.tensor([[1, 2, 3], [4, 5, 6]])
        >>> sequence_mask(X, torch.tensor([1, 2]))
        tensor([[1, 0, 0],
                [4, 5, 0]])

    Hint: compare torch.arange(num_steps) with valid_len, broadcast to (batch_size, num_steps).
    """
    # BEGIN SOLUTION
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32,
                        device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X
    # END SOLUTION


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    """The softmax cross-entropy loss with masking: padding does not count.

    forward(pred, label, valid_len):
        pred: logits, shape (batch_size, num_steps, vocab_size)
        label: token ids, shape (batch_size, num_steps), dtype long
        valid_len: shape (batch_size,): only the first valid_len[i] steps of sequence i count
    Returns one loss per sequence, shape (batch_size,):
        loss[i] = (sum over j < valid_len[i] of CE(pred[i, j], label[i, j])) / num_steps
    i.e. the unreduced cross-entropy of every position, multiplied by a 0/1 mask (use
    sequence_mask on a tensor of ones), then averaged over *all* num_steps time steps, as in
    the book: ``(unweighted_loss * weights).mean(dim=1)`` (not divided by valid_len).

    nn.CrossEntropyLoss wants the classes on axis 1: give it pred.permute(0, 2, 1), shape
    (batch_size, vocab_size, num_steps), and set self.reduction = 'none' to get the loss of
    every position, shape (batch_size, num_steps).

    Example (the book's):
        >>> loss = MaskedSoftmaxCELoss()
        >>> loss(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long),
        ...      torch.tensor([4, 2, 0]))
        tensor([2.3026, 1.1513, 0.0000])
    (all-equal logits over 10 words: each position costs ln 10 = 2.3026; sequence 1 counts 2 of
    its 4 steps, sequence 2 none.)
    """

    def forward(self, pred, label, valid_len):
        """pred (batch_size, num_steps, vocab_size), label (batch_size, num_steps),
        valid_len (batch_size,) -> one loss per sequence (batch_size,)."""
        # BEGIN SOLUTION
        weights = torch.ones_like(label)
        weights = sequence_mask(weights, valid_len)
        self.reduction = 'none'
        unweighted_loss = super(MaskedSoftmaxCELoss, self).forward(
            pred.permute(0, 2, 1), label)
        weighted_loss = (unweighted_loss * weights).mean(dim=1)
        return weighted_loss
        # END SOLUTION


def bleu(pred_seq, label_seq, k):
    """The BLEU score of a predicted sentence against the label sentence, as in the book.

    pred_seq, label_seq: strings of tokens separated by single spaces ("il est calme .").
    k: the longest n-gram order to compare (k >= 1).
    With len_pred, len_label the numbers of tokens:
        score = exp(min(0, 1 - len_label / len_pred))          (brevity penalty)
                * product over n = 1..k of p_n ** (0.5 ** n)
    where p_n is the fraction of the prediction's len_pred - n + 1 n-grams that match an
    n-gram of the label; each label n-gram can be matched at most as many times as it occurs
    in the label (clipping: "the the the" against "the cat" has p_1 = 1/3).
    Short predictions: a prediction with fewer than n tokens has no n-grams, so the orders
    n > len_pred are skipped (they contribute a factor 1); the brevity penalty already
    punishes the short prediction.  (The book's code divides by len_pred - n + 1 and crashes
    there.)  So a prediction identical to the label always scores 1.

    Examples (the book's translations, k=2):
        >>> bleu('va !', 'va !', 2)
        1.0
        >>> bleu('il est riche .', 'il est calme .', 2)      # p_1 = 3/4, p_2 = 1/3
        0.658...
        >>> bleu('il est', 'il est calme .', 2)              # brevity penalty exp(1 - 4/2)
        0.367...
    """
    # BEGIN SOLUTION
    pred_tokens, label_tokens = pred_seq.split(' '), label_seq.split(' ')
    len_pred, len_label = len(pred_tokens), len(label_tokens)
    score = math.exp(min(0, 1 - len_label / len_pred))
    for n in range(1, k + 1):
        if len_pred - n + 1 <= 0:
            break  # no n-grams of this (or any higher) order in the prediction
        num_matches, label_subs = 0, collections.defaultdict(int)
        for i in range(len_label - n + 1):
            label_subs[' '.join(label_tokens[i: i + n])] += 1
        for i in range(len_pred - n + 1):
            if label_subs[' '.join(pred_tokens[i: i + n])] > 0:
                num_matches += 1
                label_subs[' '.join(pred_tokens[i: i + n])] -= 1
        score *= math.pow(num_matches / (len_pred - n + 1), math.pow(0.5, n))
    return score
    # END SOLUTION
