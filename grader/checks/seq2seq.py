"""Checks for solutions/seq2seq.py: sequence_mask, MaskedSoftmaxCELoss, Seq2SeqEncoder,
Seq2SeqDecoder, bleu.

Networks are compared with the reference after filling both with ``fill_by_shape`` (weights
that depend only on a parameter's shape and its rank among equal shapes).  The sizes used make
the shapes that could be registered in a different order distinct (embed_size != num_hiddens,
vocab_size != 3 * num_hiddens); the GRU's own equal shapes (weight_hh_l0 / weight_ih_l1 /
weight_hh_l1, and b_ih / b_hh of every layer) are registered in the same order by every nn.GRU
and by a stack of one-layer GRUs, so the assignment is consistent for every correct answer.

Statistical parts and their false-failure bounds:
    encoder_applies_dropout, decoder_applies_dropout: two training-mode runs with
    dropout=0.5 must differ.  They coincide only if the two dropout masks over the first GRU
    layer's outputs (>= 7 * 4 * 16 = 448 independent elements) are equal: P <= 0.5^448 < 1e-130.
    (Every call is seeded, so the outcome is also reproducible.)
The training checks are deterministic (fixed data, weights filled by shape, seeded calls): a
correct answer computes the same function from the same start, so it follows the reference's
trajectory up to rounding; see ``train_half`` for the margins.
"""
import math

import torch
import torch.nn.functional as F
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from grader.judge.api import (_, N_, Failure, Mismatch, check, examples, expect_close, expect_number,
    expect_shape, expect_tensor, fill_by_shape, load_by_shape, mismatch_details, scenario, values)

# --------------------------------------------------------------------------- sequence_mask
MASK_HINT = ("keep position j of sequence i when j < valid_len[i] (strictly), set every other "
             "position along axis 1 to value: torch.arange(num_steps)[None, :] compared with "
             "valid_len[:, None] gives the (batch_size, num_steps) mask.")


@st.composite
def _masking_inputs(draw, values_from=(0, -1, 7, 0.5, -1e6), integer_X=True):
    batch, steps = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    extra = tuple(draw(st.lists(st.integers(1, 3), max_size=2)))
    integer = integer_X and draw(st.booleans())
    shape = (batch, steps) + extra
    generator = torch.Generator().manual_seed(draw(st.integers(0, 99)))
    X = torch.randint(-9, 10, shape, generator=generator)
    if integer:
        value = int(draw(st.sampled_from([v for v in values_from if float(v).is_integer()])))
    else:
        X = X.float() / 2
        value = float(draw(st.sampled_from(values_from)))
    valid_len = torch.tensor(draw(st.lists(st.integers(0, steps), min_size=batch, max_size=batch)))
    return X, valid_len, value


def _masked(X, valid_len, value):
    """The oracle: a mask built with torch.arange, broadcast over the trailing axes."""
    keep = torch.arange(X.shape[1])[None, :] < valid_len[:, None]
    keep = keep.reshape(keep.shape + (1,) * (X.dim() - 2))
    return torch.where(keep, X, torch.full_like(X, value))


@check("sequence_mask", hint=MASK_HINT)
def test_book_example(student):
    """reproduces the book's example: sequence_mask([[1, 2, 3], [4, 5, 6]], [1, 2])"""
    X = torch.tensor([[1, 2, 3], [4, 5, 6]])
    expect_close(student.sequence_mask(X, torch.tensor([1, 2])),
                 torch.tensor([[1, 0, 0], [4, 5, 0]]), rtol=0, atol=0, check_dtype=True)


@check("sequence_mask", hint="axis 1 is the time axis whatever X's rank: for a 3-D X, "
                             "mask whole vectors X[i, j, :] (index X with a 2-D boolean mask), "
                             "and write value, not 0.")
def test_book_example_with_value(student):
    """reproduces the book's 3-D example: sequence_mask(ones(2, 3, 4), [1, 2], value=-1)"""
    X = torch.ones(2, 3, 4)
    expected = torch.ones(2, 3, 4)
    expected[0, 1:] = -1
    expected[1, 2:] = -1
    expect_close(student.sequence_mask(X, torch.tensor([1, 2]), value=-1), expected,
                 rtol=0, atol=0)


@check("sequence_mask", hint="valid_len 0 keeps nothing (every position becomes value), "
                             "valid_len num_steps keeps everything: compare with <, not <=.")
@examples(10)
@given(data=_masking_inputs(), lengths=st.data())
def test_edge_lengths(student, data, lengths):
    """valid length 0 masks the whole sequence, valid length num_steps masks nothing"""
    X, __, value = data
    batch, steps = X.shape[:2]
    valid_len = torch.tensor(lengths.draw(st.lists(st.sampled_from([0, steps]), min_size=batch,
                                                   max_size=batch)))
    expect_close(student.sequence_mask(X.clone(), valid_len, value), _masked(X, valid_len, value),
                 rtol=0, atol=0)


@check("sequence_mask", hint=MASK_HINT)
@examples(20)
@given(data=_masking_inputs())
def test_matches_arange_mask(student, data):
    """matches a mask built with torch.arange, for 2-D to 4-D inputs, any lengths and values"""
    X, valid_len, value = data
    expect_close(student.sequence_mask(X.clone(), valid_len, value), _masked(X, valid_len, value),
                 rtol=0, atol=0)


@check("sequence_mask", hint="X * mask + value * (1 - mask) turns into nan when value is "
                             "-inf (0 * inf = nan): select instead of multiplying (boolean "
                             "indexing, torch.where or masked_fill).")
@examples(8)
@given(data=_masking_inputs(values_from=(float("-inf"), float("inf")), integer_X=False))
def test_masks_with_infinite_value(student, data):
    """works with value=-inf (used to mask scores before a softmax): no nan anywhere"""
    X, valid_len, value = data
    expect_close(student.sequence_mask(X.clone(), valid_len, value), _masked(X, valid_len, value),
                 rtol=0, atol=0)


# --------------------------------------------------------------------------- MaskedSoftmaxCELoss
LOSS_HINT = ("per position: cross-entropy with reduction 'none' on pred.permute(0, 2, 1), shape "
             "(batch_size, num_steps); multiply by the 0/1 mask of valid positions; then "
             ".mean(dim=1) over all num_steps steps.")


@scenario
def masked_loss(pred, label, valid_len):
    """created MaskedSoftmaxCELoss() and computed loss(pred, label, valid_len)"""
    loss = student.MaskedSoftmaxCELoss()
    return loss(pred, label, valid_len)


@st.composite
def _loss_inputs(draw, min_steps=1):
    batch, steps, vocab = draw(st.integers(1, 4)), draw(st.integers(min_steps, 5)), \
        draw(st.integers(2, 6))
    g = torch.Generator().manual_seed(draw(st.integers(0, 999)))
    pred = torch.randn(batch, steps, vocab, generator=g) * 2
    label = torch.randint(0, vocab, (batch, steps), generator=g)
    valid_len = torch.tensor(draw(st.lists(st.integers(0, steps), min_size=batch, max_size=batch)))
    return pred, label, valid_len


def _masked_ce(pred, label, valid_len):
    """The oracle: unreduced F.cross_entropy, masked, averaged over all steps."""
    per_step = F.cross_entropy(pred.permute(0, 2, 1), label, reduction="none")
    keep = torch.arange(label.shape[1])[None, :] < valid_len[:, None]
    return (per_step * keep).mean(dim=1)


@check("MaskedSoftmaxCELoss", hint=LOSS_HINT)
def test_loss_book_example(student):
    """reproduces the book's example: loss(ones(3, 4, 10), ones(3, 4), [4, 2, 0]) = [2.3026, 1.1513, 0]"""
    pred, label = torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long)
    value = student.run(masked_loss, pred, label, torch.tensor([4, 2, 0]))
    ln10 = math.log(10)
    expect_close(value, torch.tensor([ln10, ln10 / 2, 0.0]), atol=1e-4, rtol=1e-4)


@check("MaskedSoftmaxCELoss", hint="return one loss per sequence, shape (batch_size,): set "
                                   "self.reduction = 'none' before calling the parent's forward, "
                                   "and average over the time axis only (dim=1).")
@examples(6)
@given(data=_loss_inputs())
def test_one_loss_per_sequence(student, data):
    """returns one loss per sequence: shape (batch_size,)"""
    pred, label, valid_len = data
    expect_shape(student.run(masked_loss, pred, label, valid_len), (label.shape[0],))


@check("MaskedSoftmaxCELoss", hint=LOSS_HINT)
@examples(15)
@given(data=_loss_inputs())
def test_matches_masked_cross_entropy(student, data):
    """matches F.cross_entropy(reduction='none') masked by valid_len and averaged over num_steps"""
    pred, label, valid_len = data
    expect_close(student.run(masked_loss, pred, label, valid_len),
                 _masked_ce(pred, label, valid_len), atol=1e-5, rtol=1e-4)


@check("MaskedSoftmaxCELoss", hint="the positions j >= valid_len[i] are padding: multiply their "
                                   "loss by 0 (weights = sequence_mask(ones_like(label), "
                                   "valid_len)), and compute the loss of every position "
                                   "separately (reduction 'none').")
@examples(8)
@given(data=_loss_inputs(min_steps=2))
def test_padding_is_ignored(student, data):
    """changing the predictions and labels at padding positions does not change the loss"""
    pred, label, valid_len = data
    first = expect_tensor(student.run(masked_loss, pred, label, valid_len))
    pad = torch.arange(label.shape[1])[None, :] >= valid_len[:, None]
    g = torch.Generator().manual_seed(7)
    other_pred = torch.where(pad[..., None], torch.randn(pred.shape, generator=g) * 3, pred)
    other_label = torch.where(pad, (label + 1) % pred.shape[2], label)
    second = student.run(masked_loss, other_pred, other_label, valid_len)
    expect_close(second, first, atol=1e-5, rtol=1e-4,
                 rationale=_("the loss changed when only padding positions (j >= valid_len) "
                             "changed"))


@check("MaskedSoftmaxCELoss", hint="as in the book, average over all num_steps steps: "
                                   "(unweighted_loss * weights).mean(dim=1), not the sum, and not "
                                   "divided by valid_len.")
@examples(8)
@given(data=_loss_inputs())
def test_averages_over_all_steps(student, data):
    """appending as many padding steps as there are steps halves the loss (mean over all num_steps)"""
    pred, label, valid_len = data
    original = expect_tensor(student.run(masked_loss, pred, label, valid_len))
    g = torch.Generator().manual_seed(3)
    longer_pred = torch.cat([pred, torch.randn(pred.shape, generator=g)], dim=1)
    longer_label = torch.cat([label, torch.zeros_like(label)], dim=1)
    doubled = student.run(masked_loss, longer_pred, longer_label, valid_len)
    expect_close(doubled, original / 2, atol=1e-5, rtol=1e-4,
                 rationale=_("with twice as many steps (the new ones all padding), the loss "
                             "should be half as large: divide by num_steps"))


# --------------------------------------------------------------------------- encoder / decoder
@scenario
def run_encoder(sizes, X, seed, extra=()):
    """built Seq2SeqEncoder(*sizes), filled its weights by shape, set eval mode and ran it on X"""
    net = student.Seq2SeqEncoder(*sizes)
    fill_by_shape(net, seed, inputs=(X,))
    net.eval()
    with torch.no_grad():
        result = net(X, *extra)
    return [[name, list(p.shape)] for name, p in net.named_parameters()], result


@scenario
def run_decoder(sizes, X, state, seed):
    """built Seq2SeqDecoder(*sizes), filled its weights by shape, set eval mode and ran it on (X, state)"""
    net = student.Seq2SeqDecoder(*sizes)
    with gru_state_contract(net, "the decoder"):
        fill_by_shape(net, seed, inputs=(X, state))
        net.eval()
        with torch.no_grad():
            result = net(X, state)
    return [[name, list(p.shape)] for name, p in net.named_parameters()], result


@scenario
def decoder_init_state(sizes, enc_outputs, valid_len):
    """built Seq2SeqDecoder(*sizes) and called init_state(enc_outputs, valid_len), as the book's EncoderDecoder does"""
    net = student.Seq2SeqDecoder(*sizes)
    return net.init_state(enc_outputs, valid_len)


@scenario
def dropout_runs(kind, sizes, X, state, seed):
    """built the network with dropout=0.5, ran it twice in training mode, then twice in eval mode"""
    net = getattr(student, kind)(*sizes, dropout=0.5)
    args = (X,) if state is None else (X, state)
    runs = []
    with gru_state_contract(net, "the decoder" if state is not None else "the encoder"):
        fill_by_shape(net, seed, inputs=args)
        with torch.no_grad():
            net.train()
            runs += [net(*args), net(*args)]
            net.eval()
            runs += [net(*args), net(*args)]
    return runs


def _reversal_data():
    """The training task of ``train_half``: reverse 12 fixed sequences (X, Y, decoder input)."""
    V = TRAIN_SIZES[0]
    g = torch.Generator().manual_seed(1234)
    X = torch.randint(2, V, (12, 5), generator=g)
    Y = X.flip(1)
    dec_X = torch.cat([torch.ones(12, 1, dtype=torch.long), Y[:, :-1]], 1)   # <bos> = 1
    return X, Y, dec_X


@scenario
def train_half(part, sizes, X, Y, dec_X, steps, lr):
    """trained Seq2SeqEncoder + Seq2SeqDecoder (one of them yours, the other the grader's) with Adam to reverse 12 fixed sequences"""
    V, E, H, L = sizes
    if part == "encoder":
        mine = student.Seq2SeqEncoder(V, E, H, L)
        other = nn.ModuleList([nn.Embedding(V, E), nn.GRU(E + H, H, L), nn.Linear(H, V)])
    else:
        mine = student.Seq2SeqDecoder(V, E, H, L)
        other = nn.ModuleList([nn.Embedding(V, E), nn.GRU(E, H, L)])
    with gru_state_contract(mine, "the decoder" if part == "decoder" else "the encoder"):
        fill_by_shape(mine, 0, inputs=(X,) if part == "encoder" else (dec_X, torch.zeros(L, 12, H)))
    fill_by_shape(other, 1)
    mine.train()

    def logits_of():
        if part == "encoder":
            result = mine(X)
            state = result[1] if isinstance(result, (tuple, list)) and len(result) == 2 else None
            if isinstance(state, (tuple, list)) and len(state) == 2:
                raise Mismatch("the encoder's state is a pair (h, c), an LSTM's: this exercise "
                               "pins the recurrent cell to the docstring's nn.GRU, whose state "
                               "is one tensor {shape} (num_layers, batch_size, num_hiddens)",
                               shape=f"({L}, 12, {H})")
            if not isinstance(state, torch.Tensor) or tuple(state.shape) != (L, 12, H):
                raise Mismatch("the encoder's state should have shape {shape} (num_layers, "
                               "batch_size, num_hiddens)", shape=f"({L}, 12, {H})")
            embedding, rnn, dense = other
            Z = embedding(dec_X).permute(1, 0, 2)
            Z = torch.cat((Z, state[-1].repeat(Z.shape[0], 1, 1)), 2)
            return dense(rnn(Z, state)[0]).permute(1, 0, 2)
        embedding, rnn = other
        state = rnn(embedding(X).permute(1, 0, 2))[1]
        with gru_state_contract(mine, "the decoder"):
            result = mine(dec_X, state)
        logits = result[0] if isinstance(result, (tuple, list)) else None
        if not isinstance(logits, torch.Tensor) or tuple(logits.shape) != (12, 5, V):
            raise Mismatch("the decoder's output should have shape {shape} (batch_size, "
                           "num_steps, vocab_size)", shape=f"(12, 5, {V})")
        return logits

    # Adam written out: torch.optim imports torch._dynamo on first use (1-2 s)
    params = list(mine.parameters()) + list(other.parameters())
    moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in params]
    for step in range(1, steps + 1):
        loss = F.cross_entropy(logits_of().reshape(-1, V), Y.reshape(-1))
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p, (m, v) in zip(params, moments):
                if p.grad is not None:
                    m.mul_(0.9).add_(p.grad, alpha=0.1)
                    v.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
                    p -= lr * (m / (1 - 0.9 ** step)) / ((v / (1 - 0.999 ** step)).sqrt() + 1e-8)
    with torch.no_grad():
        logits = logits_of().detach().clone()
    # observations only: the judge decides from the trained parameters (see _expect_learns)
    return {"mine": [[name, p.detach().clone()] for name, p in mine.named_parameters()],
            "other": [p.detach().clone() for p in other.parameters()],
            "logits": logits}


PINNED_GRU = N_("this exercise pins the recurrent cell: the docstring asks for nn.GRU, whose state "
              "is one tensor (num_layers, batch_size, num_hiddens).  An nn.LSTM (the course "
              "notebooks' variant) has a state (h, c) and 4 * num_hiddens rows per weight: "
              "build the GRU the docstring describes.")


def _pair(value, what):
    """A reply that must be a pair (output, state) of tensors."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise Failure(_("{what} should return a pair (output, state)", what=what),
                      expected=_("a tuple of two tensors"), actual=values.describe_type(value))
    state = value[1]
    if isinstance(state, (tuple, list)) and len(state) == 2 and all(
            isinstance(t, torch.Tensor) for t in state):
        raise Failure(_("{what}'s state is a pair of tensors (h, c), an LSTM's state",
                        what=what),
                      expected=_("one tensor (num_layers, batch_size, num_hiddens): a GRU's "
                                 "state"),
                      actual=_("a pair of tensors of shapes {first} and {second}",
                               first=_shape(tuple(state[0].shape)),
                               second=_shape(tuple(state[1].shape))),
                      help=_(PINNED_GRU))
    output = expect_tensor(value[0], _("{what}'s output", what=what))
    state = expect_tensor(value[1], _("{what}'s state", what=what))
    return output, state


def _book_layers(kind, V, E, H, L):
    """(name, shape) of the book's parameters, from torch's own layers (no reference needed).

    Built on the CPU (the sizes are a few units) with torch's random state put back after:
    on the meta device, the layers' initialisers go through torch's reference decompositions,
    whose first call imports torch._dynamo (800 modules, 1.3-2 s of the judge's CPU)."""
    with torch.random.fork_rng(devices=[]):
        if kind == "encoder":
            layers = {"embedding": nn.Embedding(V, E), "rnn": nn.GRU(E, H, L)}
        else:
            layers = {"embedding": nn.Embedding(V, E), "rnn": nn.GRU(E + H, H, L),
                      "dense": nn.Linear(H, V)}
    return [(f"{layer}.{name}", tuple(p.shape)) for layer, module in layers.items()
            for name, p in module.named_parameters()]


def _shape(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _expect_layers(params, kind, sizes):
    """The student's parameters (name, shape) must have the book's shapes (by shape, any names)."""
    V, E, H, L = sizes
    want = _book_layers(kind, V, E, H, L)
    have = [(str(name), tuple(int(n) for n in shape)) for name, shape in params]
    if sorted(s for __, s in want) == sorted(s for __, s in have):
        return
    wrong = []
    have_by_name = dict(have)
    unmatched_want, unmatched_have = list(want), list(have)
    for name, shape in want:   # same name, other shape: say so directly
        if name in have_by_name and have_by_name[name] != shape:
            wrong.append(_("{name} has shape {shape}, expected {expected}", name=name,
                           shape=_shape(have_by_name[name]), expected=_shape(shape)))
            unmatched_want.remove((name, shape))
            unmatched_have.remove((name, have_by_name[name]))
    for item in list(unmatched_want):
        match = next((h for h in unmatched_have if h[1] == item[1]), None)
        if match is not None:
            unmatched_want.remove(item)
            unmatched_have.remove(match)
    if unmatched_want:
        wrong.append(_("missing {parameters}", parameters=", ".join(
            f"{n} {_shape(s)}" for n, s in unmatched_want)))
    if unmatched_have:
        wrong.append(_("unexpected {parameters}", parameters=", ".join(
            f"{n} {_shape(s)}" for n, s in unmatched_have)))
    book = ", ".join(f"{n} {_shape(s)}" for n, s in want)
    lstm = any(len(s) >= 1 and s[0] == 4 * H and ("weight_hh" in n or "weight_ih" in n)
               for n, s in have)
    part = _("the encoder") if kind == "encoder" else _("the decoder")
    if lstm:
        message = _("{part}'s parameters are not the book's layers for (vocab_size, "
                    "embed_size, num_hiddens, num_layers) = {sizes}: these are an LSTM's (4 * "
                    "num_hiddens rows per weight)", part=part, sizes=tuple(sizes))
    else:
        message = _("{part}'s parameters are not the book's layers for (vocab_size, "
                    "embed_size, num_hiddens, num_layers) = {sizes}", part=part,
                    sizes=tuple(sizes))
    raise Failure(message, expected=book, actual="; ".join(wrong),
                  help=_(PINNED_GRU) if lstm else None)


# sizes (vocab_size, embed_size, num_hiddens, num_layers) where embed_size != num_hiddens and
# vocab_size != 3 * num_hiddens: parameters of different layers never share a shape
CONFIGS = [(11, 5, 4, 1), (7, 3, 6, 2), (13, 6, 5, 3), (10, 8, 16, 2)]


@st.composite
def _network_inputs(draw, configs=CONFIGS):
    sizes = draw(st.sampled_from(configs))
    batch, steps = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    g = torch.Generator().manual_seed(draw(st.integers(0, 999)))
    X = torch.randint(0, sizes[0], (batch, steps), generator=g)
    state = torch.randn(sizes[3], batch, sizes[2], generator=g)
    return sizes, X, state


# always tried first: 2 layers, batch_size != num_steps, several steps
_TWO_LAYERS = ((7, 3, 6, 2),
               torch.randint(0, 7, (3, 4), generator=torch.Generator().manual_seed(5)),
               torch.randn(2, 3, 6, generator=torch.Generator().manual_seed(6)))


@st.composite
def _any_sizes(draw):
    sizes = (draw(st.integers(2, 12)), draw(st.integers(1, 6)), draw(st.integers(1, 6)),
             draw(st.integers(1, 3)))
    batch, steps = draw(st.integers(1, 4)), draw(st.integers(1, 6))
    X = torch.randint(0, sizes[0], (batch, steps), generator=torch.Generator().manual_seed(batch))
    return sizes, X


TIME_MAJOR = ("nn.GRU wants (num_steps, batch_size, features): permute the embedded X with "
              ".permute(1, 0, 2) (a reshape or view mixes up the sequences).")
ENCODER_SHAPES = ("embed X (batch_size, num_steps) and permute it to time-major before the GRU; "
                  "return the GRU's (output, state): output (num_steps, batch_size, num_hiddens), "
                  "state (num_layers, batch_size, num_hiddens).")


def _encoder_shapes(student, sizes, X):
    params, result = student.run(run_encoder, sizes, X, 0)
    output, state = _pair(result, _("the encoder"))
    batch, steps = X.shape
    expect_shape(output, (steps, batch, sizes[2]), _("{what}'s output", what=_("the encoder")))
    expect_shape(state, (sizes[3], batch, sizes[2]), _("{what}'s state", what=_("the encoder")))
    return params


@check("Seq2SeqEncoder", hint=ENCODER_SHAPES)
def test_encoder_book_example_shapes(student):
    """reproduces the book's example: Seq2SeqEncoder(10, 8, 16, 2) on a (4, 7) batch gives (7, 4, 16) and (2, 4, 16)"""
    _encoder_shapes(student, (10, 8, 16, 2), torch.zeros((4, 7), dtype=torch.long))


@check("Seq2SeqEncoder", hint=ENCODER_SHAPES)
@examples(8)
@given(data=_any_sizes())
def test_encoder_output_shapes(student, data):
    """gives output (num_steps, batch_size, num_hiddens) and state (num_layers, batch_size, num_hiddens) for any sizes"""
    sizes, X = data
    _encoder_shapes(student, sizes, X)


@check("Seq2SeqEncoder", hint="two layers with parameters: an Embedding(vocab_size, embed_size) "
                              "and a GRU(embed_size, num_hiddens, num_layers) (with the dropout "
                              "argument); no other layers, no one-hot inputs.")
def test_encoder_has_the_book_layers(student):
    """has the book's layers: Embedding(vocab_size, embed_size) and GRU(embed_size, num_hiddens, num_layers)"""
    for sizes in ((11, 5, 4, 1), (7, 3, 6, 2)):
        params, __ = student.run(run_encoder, sizes, torch.zeros((2, 3), dtype=torch.long), 0)
        _expect_layers(params, "encoder", sizes)


@check("Seq2SeqEncoder", hint="the book's EncoderDecoder calls encoder(enc_X, *args) with the "
                              "valid lengths: define forward(self, X, *args) and ignore args.")
def test_accepts_extra_arguments(student):
    """accepts (and ignores) extra arguments such as the valid lengths: forward(X, *args)"""
    sizes, X = (11, 5, 4, 1), torch.tensor([[3, 4, 5], [6, 7, 0]])
    __, plain = student.run(run_encoder, sizes, X, 0)
    __, result = student.run(run_encoder, sizes, X, 0, (torch.tensor([3, 2]),))
    output, state = _pair(result, _("the encoder"))
    expected_output, expected_state = _pair(plain, _("the encoder"))
    expect_close(output, expected_output, what=_("the output with valid lengths given"),
                 rationale=_("encoder(X, valid_len) should give the same output as encoder(X)"))
    expect_close(state, expected_state, what=_("the state with valid lengths given"))


@check("Seq2SeqEncoder", hint=TIME_MAJOR + "  Start the GRU from its default zero state and "
                                           "return its output and state unchanged.")
@examples(6)
@example(data=_TWO_LAYERS)
@given(data=_network_inputs())
def test_encoder_matches_reference(student, reference, data):
    """gives the reference's output and state with the same weights (eval mode)"""
    sizes, X, __ = data
    params, result = student.run(run_encoder, sizes, X, 0)
    _expect_layers(params, "encoder", sizes)
    output, state = _pair(result, _("the encoder"))
    net = reference.Seq2SeqEncoder(*sizes)
    fill_by_shape(net, 0)
    net.eval()
    with torch.no_grad():
        expected_output, expected_state = net(X)
    expect_close(output, expected_output, what=_("{what}'s output", what=_("the encoder")),
                 atol=1e-5, rtol=1e-4)
    expect_close(state, expected_state, what=_("{what}'s state", what=_("the encoder")),
                 atol=1e-5, rtol=1e-4)


def _dropout_check(student, reference, kind):
    sizes = (10, 8, 16, 2)
    X = torch.randint(0, 10, (4, 7), generator=torch.Generator().manual_seed(0))
    state = None if kind == "Seq2SeqEncoder" else \
        torch.randn(2, 4, 16, generator=torch.Generator().manual_seed(1))
    runs = student.run(dropout_runs, kind, sizes, X, state, 0)
    if not isinstance(runs, list) or len(runs) != 4:
        raise Failure(_("the four runs of {kind} could not be read", kind=kind),
                      actual=values.describe_type(runs))
    train_1, train_2, eval_1, eval_2 = (_pair(run, kind)[0] for run in runs)
    # The judge only credits outputs it can check: in eval mode the network is deterministic,
    # so its output must be the book's network's with the same weights (computed here).
    net = getattr(reference, kind)(*sizes, dropout=0.5)
    fill_by_shape(net, 0)
    net.eval()
    with torch.no_grad():
        expected = net(X) if state is None else net(X, state)
    expected = expected[0]
    expect_shape(train_1, expected.shape, _("{kind}'s output in training mode", kind=kind))
    expect_shape(train_2, expected.shape, _("{kind}'s output in training mode", kind=kind))
    expect_close(eval_1, expected, atol=1e-5, rtol=1e-4,
                 what=_("{kind}'s output in eval mode", kind=kind),
                 rationale=_("in eval mode (no dropout) the output is not the book's network's "
                             "with the same weights (see the matches_reference check)"))
    if train_1.shape == train_2.shape and torch.equal(train_1, train_2):
        raise Failure(_("with dropout=0.5 and 2 layers, two training-mode runs of {kind} gave "
                        "the same output: the dropout argument is not used", kind=kind),
                      expected=_("different outputs (dropout between the GRU's layers)"),
                      actual=_("identical outputs"))
    expect_close(eval_2, eval_1, rtol=0, atol=0, what=_("the second output in eval mode"),
                 rationale=_("in eval mode dropout must do nothing: two runs should give the "
                             "same output"))


DROPOUT_HINT = ("pass dropout to the GRU: nn.GRU(..., num_layers, dropout=dropout) drops the "
                "outputs between its layers in training mode only.")


@check("Seq2SeqEncoder", hint=DROPOUT_HINT)
def test_encoder_applies_dropout(student, reference):
    """with dropout=0.5 and 2 layers it is random in training mode and deterministic in eval mode"""
    _dropout_check(student, reference, "Seq2SeqEncoder")


TRAIN_SIZES = (9, 5, 7, 2)
TRAIN_STEPS, TRAIN_LR = 40, 0.1
# Margins (reference, 4 different weight fillings): the loss goes from 2.4-3.7 to 0.39-0.60
# after 40 Adam steps; the bar is 1.0.  A decoder that returns softmax probabilities instead of
# logits cannot go below ln(1 + (V - 1) / e) = 1.37 for V = 9, whatever it learns.
TRAIN_BAR = 1.0
# The worker only reports the trained parameters and the network's output on the training
# batch; the judge decides.  It loads those parameters into the book's network (its own
# layers), checks that this network gives the output the student's network reported (the
# parameters really are that network's), and computes the loss itself.  Start values are
# known to the judge (fill_by_shape), so "every parameter was trained" is checked too.
TRAIN_OUTPUT_TOL = 1e-3


def _other_half(part, V, E, H, L):
    """The grader's half of the network, as ``train_half`` builds it."""
    if part == "encoder":
        return nn.ModuleList([nn.Embedding(V, E), nn.GRU(E + H, H, L), nn.Linear(H, V)])
    return nn.ModuleList([nn.Embedding(V, E), nn.GRU(E, H, L)])


def _judge_logits(reference, part, mine_tensors, other_tensors, X, dec_X):
    """The book's encoder-decoder with the given parameters, computed in the judge."""
    V, E, H, L = TRAIN_SIZES
    net = (reference.Seq2SeqEncoder if part == "encoder" else reference.Seq2SeqDecoder)(V, E, H, L)
    other = _other_half(part, V, E, H, L)
    try:
        load_by_shape(net, mine_tensors)
        load_by_shape(other, other_tensors)
    except Exception:  # noqa: BLE001 - shapes came from the worker: a wrong answer, not a crash
        raise Failure(_("the trained parameters could not be read back"),
                      expected=_("the parameters of the book's layers")) from None
    with torch.no_grad():
        if part == "encoder":
            state = net(X)[1]
            embedding, rnn, dense = other
            Z = embedding(dec_X).permute(1, 0, 2)
            Z = torch.cat((Z, state[-1].repeat(Z.shape[0], 1, 1)), 2)
            return dense(rnn(Z, state)[0]).permute(1, 0, 2)
        embedding, rnn = other
        state = rnn(embedding(X).permute(1, 0, 2))[1]
        return net(dec_X, state)[0]


def _expect_learns(student, reference, part):
    V, E, H, L = TRAIN_SIZES
    X, Y, dec_X = _reversal_data()
    noun = _("encoder") if part == "encoder" else _("decoder")
    found = student.run(train_half, part, TRAIN_SIZES, X, Y, dec_X, TRAIN_STEPS, TRAIN_LR)
    mine = found.get("mine") if isinstance(found, dict) else None
    other = found.get("other") if isinstance(found, dict) else None
    logits = found.get("logits") if isinstance(found, dict) else None
    if not (isinstance(mine, list) and isinstance(other, list)
            and all(isinstance(item, (list, tuple)) and len(item) == 2 and isinstance(item[0], str)
                    and isinstance(item[1], torch.Tensor) for item in mine)
            and all(isinstance(t, torch.Tensor) for t in other)):
        raise Failure(_("the training run did not return the trained parameters"),
                      actual=values.describe_type(found))
    _expect_layers([(name, tuple(t.shape)) for name, t in mine], part, TRAIN_SIZES)
    logits = expect_shape(logits, (12, 5, V), what=_("the network's output after training"))
    mine_tensors = [t.detach().float() for __, t in mine]
    start = [torch.empty(t.shape) for t in mine_tensors]
    fill_by_shape(start, 0)                      # the scenario's start, known to the judge
    frozen = [name for (name, __), before, after in zip(mine, start, mine_tensors)
              if torch.equal(before, after)]
    if frozen:
        raise Failure(_("after {steps} Adam steps these {part} parameters never changed: "
                        "they get no gradient: {names}", steps=TRAIN_STEPS, part=noun,
                        names=", ".join(frozen)),
                      expected=_("a gradient for every parameter"),
                      actual=_("no gradient (None, or all zeros) for those"))
    other_start = [p.detach().clone() for p in _other_half(part, V, E, H, L).parameters()]
    fill_by_shape(other_start, 1)
    first = _judge_logits(reference, part, start, other_start, X, dec_X)
    judged = _judge_logits(reference, part, mine_tensors, [t.detach().float() for t in other],
                           X, dec_X)
    if not torch.allclose(logits.float(), judged, rtol=TRAIN_OUTPUT_TOL, atol=TRAIN_OUTPUT_TOL):
        raise Failure(_("after training, the network's output is not the book's {part}'s "
                        "output with the same (trained) parameters, so the grader cannot credit "
                        "what it learnt (see the check comparing it with the book's {part})",
                        part=noun),
                      expected=values.format_value(judged), actual=values.format_value(logits),
                      details=mismatch_details(logits.double(), judged.double(),
                                               TRAIN_OUTPUT_TOL, TRAIN_OUTPUT_TOL),
                      # the forward pass is wrong, not the gradient: the check's hint (about
                      # detach) would not fit what was observed
                      help=_("the {part}'s forward pass itself differs from the book's: fix "
                             "what the check that compares it with the book's on the same "
                             "weights reports (the permutes to and from time-major, the order "
                             "of the layers) and this one follows", part=noun))
    loss_before = float(F.cross_entropy(first.reshape(-1, V), Y.reshape(-1)))
    loss = float(F.cross_entropy(judged.reshape(-1, V), Y.reshape(-1)))
    if not math.isfinite(loss):
        raise Failure(_("the training loss is not a finite number"),
                      expected=_("finite losses"),
                      actual=values.format_number(loss))
    if loss >= TRAIN_BAR:
        raise Failure(_("after {steps} Adam steps (lr={lr}) the loss is still high",
                        steps=TRAIN_STEPS, lr=TRAIN_LR),
                      expected=_("a loss below {bar} (the reference reaches about 0.5)",
                                 bar=TRAIN_BAR),
                      actual=_("{before} at the start, {after} at the end",
                               before=f"{loss_before:.3f}", after=f"{loss:.3f}"))


@check("Seq2SeqEncoder", hint="the gradient must reach every layer: do not detach the state "
                              "(state.detach() belongs to truncated backpropagation in language "
                              "models, not here) and do not run the encoder under torch.no_grad().")
def test_learns_with_a_decoder(student, reference):
    """learns to reverse 12 sequences together with the grader's decoder (every parameter gets a gradient)"""
    _expect_learns(student, reference, "encoder")


# --------------------------------------------------------------------------- decoder
DECODER_SHAPES = ("embed X and permute it to time-major, concatenate the context, run the GRU "
                  "from state, apply the Linear layer and permute back: output (batch_size, "
                  "num_steps, vocab_size), state (num_layers, batch_size, num_hiddens).")


def _decoder_shapes(student, sizes, X, state):
    params, result = student.run(run_decoder, sizes, X, state, 0)
    output, new_state = _pair(result, _("the decoder"))
    batch, steps = X.shape
    expect_shape(output, (batch, steps, sizes[0]), _("{what}'s output", what=_("the decoder")))
    expect_shape(new_state, (sizes[3], batch, sizes[2]),
                 _("{what}'s state", what=_("the decoder")))
    return params


@check("Seq2SeqDecoder", hint="init_state(self, enc_outputs, *args) returns enc_outputs[1], "
                              "the encoder's final state; the extra arguments are ignored.")
def test_init_state_returns_encoder_state(student):
    """init_state(enc_outputs, valid_len) returns the encoder's state enc_outputs[1]"""
    g = torch.Generator().manual_seed(0)
    enc_outputs = (torch.randn(7, 4, 16, generator=g), torch.randn(2, 4, 16, generator=g))
    state = student.run(decoder_init_state, (10, 8, 16, 2), enc_outputs, torch.tensor([7, 5, 3, 1]))
    expect_close(state, enc_outputs[1], rtol=0, atol=0,
                 rationale=_("init_state should return the encoder's state, enc_outputs[1]"))


@check("Seq2SeqDecoder", hint=DECODER_SHAPES)
def test_decoder_book_example_shapes(student):
    """reproduces the book's example: Seq2SeqDecoder(10, 8, 16, 2) on a (4, 7) batch gives (4, 7, 10) and (2, 4, 16)"""
    state = torch.randn(2, 4, 16, generator=torch.Generator().manual_seed(0))
    _decoder_shapes(student, (10, 8, 16, 2), torch.zeros((4, 7), dtype=torch.long), state)


@check("Seq2SeqDecoder", hint=DECODER_SHAPES)
@examples(8)
@given(data=_any_sizes())
def test_decoder_output_shapes(student, data):
    """gives output (batch_size, num_steps, vocab_size) and state (num_layers, batch_size, num_hiddens) for any sizes"""
    sizes, X = data
    state = torch.randn(sizes[3], X.shape[0], sizes[2], generator=torch.Generator().manual_seed(0))
    _decoder_shapes(student, sizes, X, state)


@check("Seq2SeqDecoder", hint="three layers with parameters: an Embedding(vocab_size, "
                              "embed_size), a GRU whose input size is embed_size + num_hiddens "
                              "(the embedding and the context side by side), and a "
                              "Linear(num_hiddens, vocab_size).")
def test_decoder_has_the_book_layers(student):
    """has the book's layers: Embedding, GRU(embed_size + num_hiddens, num_hiddens, num_layers), Linear(num_hiddens, vocab_size)"""
    for sizes in ((11, 5, 4, 1), (7, 3, 6, 2)):
        state = torch.zeros(sizes[3], 2, sizes[2])
        params, __ = student.run(run_decoder, sizes, torch.zeros((2, 3), dtype=torch.long), state, 0)
        _expect_layers(params, "decoder", sizes)


@check("Seq2SeqDecoder", hint="the context is the top layer of the given state, state[-1], "
                              "repeated for every time step and concatenated to the embeddings "
                              "(torch.cat on the last axis); run the GRU from state (pass it as "
                              "the initial state) and permute the Linear's output back with "
                              ".permute(1, 0, 2).")
@examples(6)
@example(data=_TWO_LAYERS)
@given(data=_network_inputs())
def test_decoder_matches_reference(student, reference, data):
    """gives the reference's output and new state with the same weights (eval mode)"""
    sizes, X, state = data
    params, result = student.run(run_decoder, sizes, X, state, 0)
    _expect_layers(params, "decoder", sizes)
    output, new_state = _pair(result, _("the decoder"))
    net = reference.Seq2SeqDecoder(*sizes)
    fill_by_shape(net, 0)
    net.eval()
    with torch.no_grad():
        expected_output, expected_state = net(X, state)
    expect_close(output, expected_output, what=_("{what}'s output", what=_("the decoder")),
                 atol=1e-5, rtol=1e-4)
    expect_close(new_state, expected_state, what=_("{what}'s state", what=_("the decoder")),
                 atol=1e-5, rtol=1e-4)


@check("Seq2SeqDecoder", hint=DROPOUT_HINT)
def test_decoder_applies_dropout(student, reference):
    """with dropout=0.5 and 2 layers it is random in training mode and deterministic in eval mode"""
    _dropout_check(student, reference, "Seq2SeqDecoder")


@check("Seq2SeqDecoder", hint="return the Linear layer's raw scores (logits): the "
                              "cross-entropy loss applies the softmax itself; and keep every "
                              "layer in the gradient's path (no detach, no torch.no_grad).")
def test_learns_with_an_encoder(student, reference):
    """learns to reverse 12 sequences together with the grader's encoder (every parameter gets a gradient)"""
    _expect_learns(student, reference, "decoder")


# --------------------------------------------------------------------------- bleu
BLEU_HINT = ("score = exp(min(0, 1 - len_label / len_pred)) times p_n ** (0.5 ** n) for n = 1..k, "
             "p_n = matched n-grams / (len_pred - n + 1), each label n-gram matched at most as "
             "often as it occurs in the label.")
# multi-character tokens whose concatenations collide ("a" + "bc" == "ab" + "c"): n-grams must be
# kept apart ("a bc" or a tuple), and repeated tokens are frequent over this small vocabulary
WORDS = ["a", "b", "c", "ab", "bc", "the", "."]


def _score(value) -> float:
    """A BLEU score must be a real number (a float, or a one-element tensor)."""
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
        raise Failure(_("the score should be a number"), expected=_("a float"),
                      actual=values.format_value(value))
    return float(value)


def _sentences(words=WORDS, min_size=1, max_size=8):
    return st.lists(st.sampled_from(words), min_size=min_size, max_size=max_size).map(" ".join)


@check("bleu", hint=BLEU_HINT)
def test_book_examples(student):
    """scores the book's translations: 1 for exact ones, 0.658 and 0.447 for the others (k=2)"""
    cases = [("va !", "va !", 1.0),
             ("j'ai perdu .", "j'ai perdu .", 1.0),
             ("il est riche .", "il est calme .", (3 / 4) ** 0.5 * (1 / 3) ** 0.25),
             ("je suis en retard ?", "je suis chez moi .", (2 / 5) ** 0.5 * (1 / 4) ** 0.25),
             ("il est", "il est calme .", math.exp(1 - 4 / 2))]
    for pred, label, expected in cases:
        expect_number(student.bleu(pred, label, 2), expected, rel=1e-6)


@check("bleu", hint="a prediction identical to the label matches every n-gram (p_n = 1) and "
                    "has no brevity penalty; for n > len_pred there is nothing to compare: "
                    "skip that order.")
@examples(12)
@given(data=st.data(), k=st.integers(1, 4))
def test_perfect_match_scores_one(student, data, k):
    """a prediction identical to the label scores 1, for every k"""
    sentence = data.draw(_sentences(min_size=k))
    expect_number(student.bleu(sentence, sentence, k), 1.0, rel=1e-9)


@check("bleu", hint="for n > len_pred the prediction has no n-grams and len_pred - n + 1 <= 0: "
                    "skip those orders (they multiply the score by 1) instead of dividing by "
                    "zero; the brevity penalty still applies.")
def test_short_prediction(student):
    """a prediction shorter than k does not crash: the orders n > len_pred are skipped"""
    cases = [("va", "va !", 2, math.exp(1 - 2 / 1)),
             ("va", "va", 3, 1.0),
             ("il est", "il est calme .", 4, math.exp(1 - 4 / 2)),
             ("x", "va !", 2, 0.0)]
    for pred, label, k, expected in cases:
        expect_number(student.bleu(pred, label, k), expected, rel=1e-6)


@st.composite
def _bleu_cases(draw):
    k = draw(st.integers(1, 4))
    return draw(_sentences(min_size=k)), draw(_sentences()), k


@check("bleu", hint=BLEU_HINT + "  Keep the tokens of an n-gram apart (' '.join or a tuple): "
                               "''.join makes 'a bc' and 'ab c' the same bigram.")
@examples(20)
@example(case=("x a bc", "x ab c", 2))         # no bigram matches: the score is 0
@example(case=("ab c", "ab c the .", 2))       # a short prediction: exp(1 - 4 / 2)
@given(case=_bleu_cases())
def test_matches_reference(student, reference, case):
    """matches the reference on random sentences over a small vocabulary (multi-character and repeated tokens)"""
    pred, label, k = case
    expect_number(student.bleu(pred, label, k), reference.bleu(pred, label, k), rel=1e-6,
                  abs_=1e-9)


@check("bleu", hint="the brevity penalty is exp(min(0, 1 - len_label / len_pred)): never above "
                    "1, so long predictions are not rewarded; each p_n is at most 1.")
@examples(15)
@given(pred=_sentences(min_size=3, max_size=6), label=_sentences(max_size=6), k=st.integers(1, 3))
@example(pred="a b c", label="a b", k=1)
@example(pred="a a a", label="a", k=1)
def test_bounded_in_unit_interval(student, pred, label, k):
    """is between 0 and 1"""
    score = _score(student.bleu(pred, label, k))
    if not 0.0 <= score <= 1.0 + 1e-12:
        raise Failure(_("the score is outside [0, 1]"), expected=_("a number between 0 and 1"),
                      actual=values.format_number(score))


@check("bleu", hint="an n-gram is n consecutive tokens taken together (tokens[i:i + n], "
                    "joined or as a tuple): with n >= 2 the word order matters.")
@examples(10)
@given(data=st.data(), k=st.integers(2, 4))
def test_word_order_matters(student, data, k):
    """a reordering of a correct sentence scores below 1 for k >= 2, and exactly 1 for k = 1"""
    words = data.draw(st.lists(st.sampled_from(list("abcdefgh")), min_size=2, max_size=6,
                               unique=True))
    shuffled = data.draw(st.permutations(words).filter(lambda p: p != words))
    # and the reversed sentence: a drawn permutation often keeps the last word in place, which
    # an n-gram count that compares single tokens (and drops the last position) cannot see
    for order in (shuffled, words[::-1]):
        label, pred = " ".join(words), " ".join(order)
        expect_number(student.bleu(pred, label, 1), 1.0, rel=1e-9,
                      rationale=_("with k=1 only the words count, not their order: the score "
                                  "should be 1"))
        score = _score(student.bleu(pred, label, k))
        if not score < 1 - 1e-9:
            raise Failure(_("with k={k} the reordered sentence scores as high as the correct "
                            "one", k=k),
                          expected=_("a score below 1 (some bigrams no longer match)"),
                          actual=values.format_number(score))


@check("bleu", hint="the brevity penalty exp(min(0, 1 - len_label / len_pred)) multiplies the "
                    "score: a correct but short prediction is penalised.")
@examples(10)
@given(label=_sentences(min_size=2), data=st.data())
def test_brevity_penalty(student, label, data):
    """a correct prefix of the label scores exactly exp(1 - len_label / len_pred)"""
    tokens = label.split(" ")
    m = data.draw(st.integers(1, len(tokens)))
    k = data.draw(st.integers(1, min(m, 4)))
    expect_number(student.bleu(" ".join(tokens[:m]), label, k),
                  math.exp(min(0.0, 1 - len(tokens) / m)), rel=1e-6)


@check("bleu", hint="count each label n-gram (a dictionary of counts) and use it up when it is "
                    "matched: 'the the the the' against 'the cat' matches 'the' only once.")
def test_clips_repeated_ngrams(student):
    """clips repeated n-grams: 'the the the the' against 'the cat' has p_1 = 1/4"""
    expect_number(student.bleu("the the the the", "the cat", 1), 0.5, rel=1e-6)
    expect_number(student.bleu("a b a b", "a b c d", 2), (2 / 4) ** 0.5 * (1 / 3) ** 0.25,
                  rel=1e-6)
