"""Checks for solutions/attention.py: masked_softmax, DotProductAttention, AdditiveAttention.

Oracles: torch's scaled_dot_product_attention with a boolean mask built from valid_lens (the
weights themselves come from it with the identity matrix as keys and values), evaluated in
float64.  Decisions:
  * valid lengths are drawn in [1, num_keys]: a row with no valid key is undefined here (the
    book's -1e6 gives a uniform row, -inf and the oracle give nan), so it is never tested;
  * a masked position passes when its weight is at most 1e-6 (weights lie in [0, 1]: an
    absolute bound is a relative one), so -1e4, -1e6, -1e9, -inf and masked_fill all pass;
  * values are compared with dropout = 0 and the module in eval mode; only
    dropout_is_on_the_weights runs in training mode.
The two modules are built inside the worker by the scenarios below; AdditiveAttention gets
its weights from fill_by_shape with key_size != query_size and num_hiddens >= 2, so that its
three matrices have distinct shapes.

Statistical bound (dropout_is_on_the_weights, both modules): the check needs at least one
dropped and one kept weight among 48 with drop probability 1/2: a correct dropout fails with
probability at most 2 * 0.5**48 = 7.1e-15 per module.
"""
import contextlib
import math

import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from grader.judge.api import (_, N_, Failure, advise_device, as_float64, check, examples, expect_close,
    expect_no_builtin, expect_shape, expect_tensor, fill_by_shape, scenario, tensors)

MASKED_TOL = 1e-6          # largest weight a masked position may get
SUM_TOL = 1e-5             # how far from 1 a row of weights may sum

MASKED_PAIRS_HINT = ("only the first valid_len key-value pairs may influence a query's result: "
                     "masked scores must get weight 0 (a very large negative value before the "
                     "softmax), and each score must use only its own key.")
MASK_HINT = ("positions at or beyond the valid length must get weight 0: replace their scores "
             "by a very large negative value (the book uses -1e6) before the softmax; a score of "
             "0 still gets weight.")
AXIS_HINT = "take the softmax over the last axis (dim=-1): over the keys, for each query."


# ============================================================================ judge helpers
@contextlib.contextmanager
def _one_thread():
    """Run the judge's softmax / attention on one thread: on tiny tensors, waking torch's
    intra-op threads costs ~15 ms per call on a busy machine (25 us on one thread)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _softmax(X) -> torch.Tensor:
    with _one_thread():
        return torch.softmax(X.double(), dim=-1).float()


def _mask(shape, valid_lens) -> torch.Tensor:
    """mask[b, q, k] is True where key k takes part for query q of batch element b."""
    b, nq, nk = shape
    if valid_lens is None:
        return torch.ones(b, nq, nk, dtype=torch.bool)
    lens = valid_lens.reshape(b, 1) if valid_lens.dim() == 1 else valid_lens.reshape(b, nq)
    return torch.arange(nk)[None, None, :] < lens.expand(b, nq)[..., None]


def _sdpa(queries, keys, values, valid_lens, scale=None) -> torch.Tensor:
    """torch's scaled dot-product attention, in float64."""
    with _one_thread():
        return F.scaled_dot_product_attention(
            queries.double(), keys.double(), values.double(),
            attn_mask=_mask((queries.shape[0], queries.shape[1], keys.shape[1]), valid_lens),
            scale=scale).float()


def _oracle_softmax(X, valid_lens) -> torch.Tensor:
    """masked softmax of the scores X: attention with the identity as keys and values."""
    b, __, nk = X.shape
    eye = torch.eye(nk).expand(b, nk, nk)
    return _sdpa(X, eye, eye, valid_lens, scale=1.0)


def _oracle_weights(queries, keys, valid_lens) -> torch.Tensor:
    b, nk = keys.shape[0], keys.shape[1]
    return _sdpa(queries, keys, torch.eye(nk).expand(b, nk, nk), valid_lens)


def _lens_name(valid_lens, b, q) -> str:
    return f"valid_lens[{b}]" if valid_lens.dim() == 1 else f"valid_lens[{b}, {q}]"


def _row(t: torch.Tensor) -> str:
    return "[" + ", ".join(f"{float(x):.4g}" for x in t) + "]"


def _prefix_length(nonzero: torch.Tensor):
    """u if exactly the first u entries are True, else None."""
    u = int(nonzero.sum())
    return u if bool(nonzero[:u].all()) else None


def _used_length(valid_lens, used: int, v: int) -> str:
    """'the weights look like valid length u was used (that is valid_lens[1])'."""
    text = _("the weights look like valid length {used} was used for this row", used=used)
    if valid_lens is not None and used != v:
        same = [tuple(int(i) for i in index) for index in (valid_lens == used).nonzero()][:3]
        if same:
            names = ", ".join("valid_lens[" + ", ".join(map(str, index)) + "]" for index in same)
            text = _("the weights look like valid length {used} was used for this row (the "
                     "value of {names}: are the lengths lined up with the rows?)", used=used,
                     names=names)
    return text


def _keys(first: int, last: int) -> str:
    return _("key {first}", first=first) if first == last else \
        _("keys {first}..{last}", first=first, last=last)


def _expect_finite(W, what):
    bad = ~torch.isfinite(W)
    if bad.any():
        index = tuple(int(i) for i in bad.nonzero()[0])
        raise Failure(_("nan or inf in {what} (first at index {index})", what=what,
                        index=index),
                      expected=_("finite weights between 0 and 1"), actual=_row(W[index[:-1]]),
                      help=_("exp of a large score overflows: subtract the row's maximum "
                             "before exp, or use torch's softmax, which does it for you."))


def _expect_mask_respected(W, valid_lens, what=None, X=None, positive=True):
    """Masked positions get (almost) no weight; with ``positive``, valid ones get some.

    ``X`` (the scores, when known) lets the message say how the mask went wrong; ``what``:
    the weights by default.
    """
    what = what or _("the weights")
    _expect_finite(W, what)
    if valid_lens is None:
        return
    mask = _mask(W.shape, valid_lens)
    nk = W.shape[-1]
    leaked = ~mask & (W.abs() > MASKED_TOL)
    if leaked.any():
        b, q, __ = (int(i) for i in leaked.nonzero()[0])
        v = int(mask[b, q].sum())
        keys = [k for k in range(nk) if leaked[b, q, k]]
        details = [_("{lens} = {v}, so only {allowed} may get weight; {leaked} got some",
                     lens=_lens_name(valid_lens, b, q), v=v, allowed=_keys(0, v - 1),
                     leaked=_("key {first}", first=keys[0]) if len(keys) == 1 else
                     _("keys {list}", list=", ".join(map(str, keys))))]
        used = _prefix_length(W[b, q].abs() > MASKED_TOL)
        if used is not None and used != v:
            details.append(_used_length(valid_lens, used, v))
        help = None
        if X is not None and (used is None or used == nk):    # no other length explains it
            kv = int(W[b, q, :v].argmax())
            km = keys[0]
            implied = float(torch.log(W[b, q, km] / W[b, q, kv])) + float(X[b, q, kv])
            if abs(implied) < 1e-3:
                details.append(_("the masked scores seem to have been replaced by 0, which "
                                 "still gets weight after the softmax"))
                help = _(MASK_HINT)
            elif abs(implied - float(X[b, q, km])) < 1e-3:
                details.append(_("the masked scores seem to have been left unchanged"))
        raise Failure(_("masked positions got weight in {what}: batch {b}, query {q}",
                        what=what, b=b, q=q),
                      expected=_("weight 0 for {keys}", keys=_keys(v, nk - 1)),
                      actual=_("weights {row}", row=_row(W[b, q])), details="; ".join(details),
                      help=help)
    if positive:
        starved = mask & (W <= 0)
        if starved.any():
            b, q, k = (int(i) for i in starved.nonzero()[0])
            v = int(mask[b, q].sum())
            details = _("{lens} = {v}: {keys} all take part", lens=_lens_name(valid_lens, b, q),
                        v=v, keys=_keys(0, v - 1))
            used = _prefix_length(W[b, q] > 0)
            if used is not None:
                details += "; " + _used_length(valid_lens, used, v)
            raise Failure(_("a valid position got no weight in {what}: batch {b}, query {q}, "
                            "key {k}", what=what, b=b, q=q, k=k),
                          expected=_("positive weights for {keys}", keys=_keys(0, v - 1)),
                          actual=_("weights {row}", row=_row(W[b, q])), details=details)


def _expect_rows_sum_to_one(W, what=None, X=None, valid_lens=None):
    what = what or _("the weights")
    _expect_finite(W, what)
    sums = W.sum(-1)
    bad = (sums - 1).abs() > SUM_TOL
    if not bad.any():
        return
    b, q = (int(i) for i in bad.nonzero()[0])
    details, help = [], None
    if bool(((W - 1).abs() <= SUM_TOL).all()):
        details.append(_("every weight is 1: the softmax was taken over an axis of size 1"))
        help = _(AXIS_HINT)
    for axis, name in ((1, _("axis 1 (the queries)")), (0, _("axis 0 (the batch)"))):
        if W.shape[axis] > 1 and bool(((W.sum(axis) - 1).abs() <= SUM_TOL).all()):
            details.append(_("the weights sum to 1 over {axis} instead: the softmax was taken "
                             "over the wrong axis", axis=name))
            help = _(AXIS_HINT)
    if X is not None and valid_lens is not None:
        plain = _softmax(X) * _mask(W.shape, valid_lens)
        if torch.allclose(*as_float64(W, plain), atol=1e-5):
            details.append(_("the weights are the plain softmax with the masked ones set to 0 "
                             "afterwards, so the others no longer sum to 1"))
            help = _("mask the scores (a very large negative value) before the softmax, not "
                     "the weights after it.")
    raise Failure(_("the weights in {what} do not sum to 1 over the keys (the last axis): "
                    "batch {b}, query {q} sums to {total}", what=what, b=b, q=q,
                    total=f"{float(sums[b, q]):.6g}"),
                  expected=_("W[b, q, :].sum() == 1 for every b, q"),
                  actual=_("weights {row}", row=_row(W[b, q])), details="; ".join(details) or None,
                  help=help)


def _expect_weights(W, shape, valid_lens, what="attention_weights", X=None):
    """Shape, mask, normalisation: the properties every attention weight tensor has."""
    W = expect_shape(W, shape, what)
    _expect_mask_respected(W, valid_lens, what, X=X)
    _expect_rows_sum_to_one(W, what, X=X, valid_lens=valid_lens)
    return W


# ============================================================================ strategies
# Tensor values come from a drawn seed (hypothesis shrinks shapes, lengths and the seed; drawing
# every element through hypothesis costs ~15 ms per example).  Values are multiples of 1/4, so
# a counterexample prints short.
def _values(draw, shape, bound=2.0):
    generator = torch.Generator().manual_seed(draw(st.integers(0, 2 ** 16)))
    steps = int(bound * 4)
    return torch.randint(-steps, steps + 1, tuple(shape), generator=generator).float() / 4


def _lens(kind, b, nq, nk, low=1, high=None):
    high = nk if high is None else high
    if kind == "none":
        return st.none()
    return tensors((b,) if kind == "1d" else (b, nq), low=low, high=high, dtype=torch.int64)


@st.composite
def scores_and_lens(draw, kinds=("none", "1d", "2d"), bound=5.0, min_batch=1, min_queries=1,
                    min_keys=1):
    b = draw(st.integers(min_batch, 3))
    nq = draw(st.integers(min_queries, 4))
    nk = draw(st.integers(min_keys, 5))
    X = _values(draw, (b, nq, nk), bound)
    valid_lens = draw(_lens(draw(st.sampled_from(kinds)), b, nq, nk))
    return X, valid_lens


@st.composite
def attention_inputs(draw, additive=False, kinds=("none", "1d", "2d"), min_keys=1,
                     max_len_below_keys=False):
    """(sizes, queries, keys, values, valid_lens); with ``max_len_below_keys`` every valid
    length is at most num_keys - 1, so some key is masked for every query."""
    b, nq = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    nk = draw(st.integers(max(min_keys, 2 if max_len_below_keys else 1), 5))
    dv = draw(st.integers(1, 3))
    if additive:
        key_size = draw(st.integers(1, 4))
        query_size = draw(st.integers(1, 4).filter(lambda n: n != key_size))
        sizes = {"key_size": key_size, "query_size": query_size,
                 "num_hiddens": draw(st.integers(2, 5)), "dropout": 0.0}
    else:
        key_size = query_size = draw(st.integers(1, 4))
        sizes = {"dropout": 0.0}
    queries = _values(draw, (b, nq, query_size))
    keys = _values(draw, (b, nk, key_size))
    values = _values(draw, (b, nk, dv), 5.0)
    high = nk - 1 if max_len_below_keys else nk
    valid_lens = draw(_lens(draw(st.sampled_from(kinds)), b, nq, nk, high=high))
    return sizes, queries, keys, values, valid_lens


# ============================================================================ scenarios
@scenario
def dot_product_attention(dropout, training, queries, keys, values, valid_lens):
    """built DotProductAttention(dropout), set train(training), ran forward(queries, keys, values, valid_lens) and read attention_weights"""
    net = student.DotProductAttention(dropout=dropout)
    net.train(training)
    with torch.no_grad():
        output = net(queries, keys, values, valid_lens)
    weights = getattr(net, "attention_weights", None)
    return output, weights if isinstance(weights, torch.Tensor) else None


@scenario
def additive_attention(sizes, seed, training, queries, keys, values, valid_lens):
    """built AdditiveAttention(**sizes), gave its layers weights by shape from seed (seed None: its own initial weights), set train(training), ran forward(queries, keys, values, valid_lens) and read attention_weights"""
    net = student.AdditiveAttention(**sizes)
    with torch.no_grad():
        if seed is not None:
            net.eval()
            net(queries, keys, values, valid_lens)      # creates lazy layers' weights, if any
            fill_by_shape(net, seed)
        net.train(training)
        output = net(queries, keys, values, valid_lens)
    weights = getattr(net, "attention_weights", None)
    return output, weights if isinstance(weights, torch.Tensor) else None


@scenario
def additive_parameter_shapes(sizes, queries, keys, values):
    """built AdditiveAttention(**sizes), ran it once and listed the shapes of its parameters"""
    net = student.AdditiveAttention(**sizes)
    net.eval()
    with torch.no_grad():
        net(queries, keys, values, None)
    return [list(p.shape) for p in net.parameters()]


NO_WEIGHTS = N_("after forward, the module has no tensor attribute attention_weights: keep the "
              "softmax weights in self.attention_weights (before dropout)")


def _weights(run, weights, keys, need_attribute):
    """The attention weights: the module's attention_weights, or, when it does not keep them
    (only the check about the attribute needs it), the eval-mode output with the identity as
    values, which is the weights themselves."""
    if weights is not None:
        return expect_tensor(weights, "attention_weights")
    if need_attribute:
        raise Failure(_(NO_WEIGHTS), expected=_("a tensor net.attention_weights after forward"),
                      actual=_("no such attribute"),
                      help=_("set self.attention_weights = masked_softmax(scores, valid_lens) "
                             "in forward, before the dropout."))
    b, nk = keys.shape[0], keys.shape[1]
    output, __ = run(torch.eye(nk).expand(b, nk, nk).contiguous())
    return expect_tensor(output, _("the output with the identity as values"))


def _run_dot(student, queries, keys, values, valid_lens, dropout=0.0, training=False,
             need_attribute=False):
    output, weights = student.run(dot_product_attention, dropout, training, queries, keys,
                                  values, valid_lens)
    output = expect_tensor(output, _("the output"))
    return output, _weights(
        lambda v: student.run(dot_product_attention, dropout, False, queries, keys, v,
                              valid_lens), weights, keys, need_attribute)


def _run_additive(student, sizes, queries, keys, values, valid_lens, seed=0, training=False,
                  need_attribute=False):
    output, weights = student.run(additive_attention, sizes, seed, training, queries, keys,
                                  values, valid_lens)
    output = expect_tensor(output, _("the output"))
    return output, _weights(
        lambda v: student.run(additive_attention, sizes, seed, False, queries, keys, v,
                              valid_lens), weights, keys, need_attribute)


def _reference_additive(reference, sizes, seed, queries, keys, values, valid_lens):
    net = reference.AdditiveAttention(**sizes)
    fill_by_shape(net, seed)
    net.eval()
    with torch.no_grad(), _one_thread():
        output = net(queries, keys, values, valid_lens)
    return output, net.attention_weights


# ============================================================================ masked_softmax
BOOK_X = torch.tensor([[[0.47, 0.12, 0.88, 0.35], [0.61, 0.05, 0.93, 0.27]],
                       [[0.18, 0.74, 0.52, 0.09], [0.83, 0.41, 0.66, 0.97]]])


def _softmax_prefixes(X, lengths):
    """The expected answer, row by row: softmax of the first L scores, zeros after."""
    Y = torch.zeros_like(X)
    for b in range(X.shape[0]):
        for q in range(X.shape[1]):
            L = lengths[b][q]
            Y[b, q, :L] = _softmax(X[b, q, :L])
    return Y


@check("masked_softmax", hint=MASK_HINT)
def test_book_example_1d(student):
    """reproduces the book's example with one valid length per batch element: valid_lens = [2, 3]"""
    lens = torch.tensor([2, 3])
    W = _expect_weights(student.masked_softmax(BOOK_X, lens), BOOK_X.shape, lens, _("the result"),
                        X=BOOK_X)
    expect_close(W, _softmax_prefixes(BOOK_X, [[2, 2], [3, 3]]))


@check("masked_softmax", hint="a 2-D valid_lens has one length per query: row q of batch "
                              "element b keeps its first valid_lens[b, q] keys "
                              "(valid_lens.reshape(-1) lines up with X.reshape(-1, num_keys)).")
def test_book_example_2d(student):
    """reproduces the book's example with one valid length per query: valid_lens = [[1, 3], [2, 4]]"""
    lens = torch.tensor([[1, 3], [2, 4]])
    W = _expect_weights(student.masked_softmax(BOOK_X, lens), BOOK_X.shape, lens, _("the result"),
                        X=BOOK_X)
    expect_close(W, _softmax_prefixes(BOOK_X, [[1, 3], [2, 4]]))


@check("masked_softmax", hint="without valid_lens it is the plain softmax over the last axis: "
                              "nn.functional.softmax(X, dim=-1).")
@examples(6)
@given(data=scores_and_lens(kinds=("none",)))
def test_no_valid_lens_is_softmax(student, data):
    """with valid_lens = None, is the softmax over the last axis"""
    X, __ = data
    W = expect_shape(student.masked_softmax(X, None), X.shape)
    _expect_rows_sum_to_one(W, _("the result"))
    expect_close(W, _softmax(X))


@check("masked_softmax", hint=MASK_HINT)
@examples(10)
@given(data=scores_and_lens(kinds=("1d", "2d")))
def test_masked_positions_get_zero_weight(student, data):
    """positions at or beyond the valid length get weight 0, the others a positive weight"""
    X, lens = data
    W = expect_shape(student.masked_softmax(X, lens), X.shape)
    _expect_mask_respected(W, lens, _("the result"), X=X)


@check("masked_softmax", hint=AXIS_HINT)
@examples(10)
@given(data=scores_and_lens())
def test_rows_sum_to_one(student, data):
    """for every batch element and query, the weights sum to 1 over the last axis"""
    X, lens = data
    W = expect_shape(student.masked_softmax(X, lens), X.shape)
    _expect_rows_sum_to_one(W, _("the result"), X=X, valid_lens=lens)


@check("masked_softmax", hint=MASK_HINT)
@examples(10)
@given(data=scores_and_lens())
def test_matches_oracle(student, data):
    """matches torch's scaled_dot_product_attention with the mask built from valid_lens"""
    X, lens = data
    W = _expect_weights(student.masked_softmax(X, lens), X.shape, lens, _("the result"), X=X)
    expect_close(W, _oracle_softmax(X, lens))


@check("masked_softmax", hint="a 1-D valid_lens has one length per batch element, shared by "
                              "its queries: repeat each length num_queries times in a row "
                              "(torch.repeat_interleave), not the whole tensor (repeat).")
@examples(8)
@given(data=scores_and_lens(kinds=("1d",), min_batch=2, min_queries=2, min_keys=2))
def test_one_length_per_batch_element(student, data):
    """a 1-D valid_lens gives each batch element its own length, for all of its queries"""
    X, lens = data
    assume(len(set(lens.tolist())) > 1)
    W = _expect_weights(student.masked_softmax(X, lens), X.shape, lens, _("the result"), X=X)
    expect_close(W, _oracle_softmax(X, lens))


@check("masked_softmax", hint="a 2-D valid_lens of shape (batch_size, num_queries) has one "
                              "length per query: use all of it (valid_lens.reshape(-1)), not "
                              "only its first column.")
@examples(8)
@given(data=scores_and_lens(kinds=("2d",), min_queries=2, min_keys=2))
def test_one_length_per_query(student, data):
    """a 2-D valid_lens gives every query its own length"""
    X, lens = data
    assume(bool((lens != lens[:, :1]).any()))
    W = _expect_weights(student.masked_softmax(X, lens), X.shape, lens, _("the result"), X=X)
    expect_close(W, _oracle_softmax(X, lens))


@check("masked_softmax", hint="exp(100) overflows float32: subtract each row's maximum before "
                              "exp, or use nn.functional.softmax, which does it for you.")
@examples(10)
@given(data=scores_and_lens(bound=300.0))
def test_large_scores(student, data):
    """works for large scores (up to +-300) without overflow"""
    X, lens = data
    W = expect_shape(student.masked_softmax(X, lens), X.shape)
    _expect_finite(W, _("the result"))
    _expect_mask_respected(W, lens, _("the result"), positive=False)
    expect_close(W, _oracle_softmax(X, lens))


@check("masked_softmax", hint="build the mask yourself and use nn.functional.softmax; "
                              "scaled_dot_product_attention and masked softmax built-ins do "
                              "the whole exercise for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch's attention or masked-softmax built-ins"""
    lens = torch.tensor([[1, 3], [2, 4]])
    reply = student.masked_softmax.reply(BOOK_X, lens, watch=True)
    expect_no_builtin(reply, "masked_softmax")


@check("masked_softmax", hint="the docstring says: do not change X in place.")
def test_does_not_modify_input(student):
    """leaves X and valid_lens unchanged"""
    X = BOOK_X.clone()
    reply = student.masked_softmax.reply(X, torch.tensor([2, 3]), check_mutation=True)
    if reply.mutated:
        raise Failure(_("masked_softmax changes {names} in place (X.reshape returns a view of "
                        "X, so X[~mask] = -1e6 writes into the caller's scores): use "
                        "X.masked_fill(~mask, -1e6), or torch.where, which make a new tensor",
                        names=", ".join(reply.mutated)))


@check("masked_softmax", advisory=True)
def test_creates_tensors_on_input_device(student_source):
    """creates its mask on the input's device"""
    advise_device(student_source, "masked_softmax")


# ============================================================================ DotProductAttention
BOOK_KEYS = torch.ones(2, 10, 2)
BOOK_VALUES = torch.arange(40, dtype=torch.float32).reshape(1, 10, 4).repeat(2, 1, 1)
BOOK_LENS = torch.tensor([2, 6])
BOOK_OUTPUT = torch.tensor([[[2.0, 3.0, 4.0, 5.0]], [[10.0, 11.0, 12.0, 13.0]]])
BOOK_WEIGHTS = torch.zeros(2, 1, 10)
BOOK_WEIGHTS[0, 0, :2] = 1 / 2
BOOK_WEIGHTS[1, 0, :6] = 1 / 6
BOOK_HINT = ("all keys are equal, so the weights are uniform over the valid pairs and the "
             "output is the mean of the first valid_len values; eval() must turn the dropout "
             "off (use nn.Dropout, not a dropout that ignores self.training).")


def _normal(shape, seed):
    return torch.randn(shape, generator=torch.Generator().manual_seed(seed))


def _expect_book_example(output, weights):
    _expect_weights(weights, (2, 1, 10), BOOK_LENS)
    expect_close(weights, BOOK_WEIGHTS, what="attention_weights", atol=1e-5)
    expect_close(output, BOOK_OUTPUT, what=_("the output"), atol=1e-4)


@check("DotProductAttention", hint=BOOK_HINT)
def test_book_example(student):
    """reproduces the book's example (dropout 0.5 in eval mode, valid_lens = [2, 6])"""
    queries = torch.tensor([[[0.3, -1.2]], [[1.1, 0.4]]])
    _expect_book_example(*_run_dot(student, queries, BOOK_KEYS, BOOK_VALUES, BOOK_LENS,
                                   dropout=0.5))


@check("DotProductAttention", hint="scores = queries @ keys^T / sqrt(d), d = queries.shape[-1] "
                                   "(the length of a query), then the softmax.")
def test_scaled_by_sqrt_d(student):
    """divides the scores by sqrt(d): with d = 4, a query of ones and keys [1, 1, 1, 1] and [0, 0, 0, 0], the weights are softmax([4 / 2, 0])"""
    queries = torch.ones(1, 1, 4)
    keys = torch.tensor([[[1.0, 1.0, 1.0, 1.0], [0.0, 0.0, 0.0, 0.0]]])
    values = torch.tensor([[[1.0], [0.0]]])
    output, weights = _run_dot(student, queries, keys, values, None)
    W = _expect_weights(weights, (1, 1, 2), None)
    expected = _softmax(torch.tensor([[[2.0, 0.0]]]))
    if not torch.allclose(*as_float64(W, expected), atol=1e-5):
        details = None
        if bool((W > 0).all()):
            score = float(torch.log(W[0, 0, 0] / W[0, 0, 1]))
            details = _("the weights are softmax([{score}, 0]), so the first score was {score}",
                        score=f"{score:.4g}")
            if abs(score - 4) < 1e-3:
                details += _(": the scores were not divided by sqrt(d)")
            elif abs(score - 1) < 1e-3:
                details += _(": the scores were divided by d = 4 instead of sqrt(d) = 2")
        raise Failure(_("the attention weights are not softmax(q . k / sqrt(d))"),
                      expected=_("weights {row} (scores 4 / sqrt(4) = 2 and 0)",
                                 row=_row(expected[0, 0])),
                      actual=_("weights {row}", row=_row(W[0, 0])), details=details)
    expect_close(output, expected[..., :1], what=_("the output"))


SHAPE_CASES = [(1, 1, 1, 1, 1), (2, 3, 5, 4, 2), (1, 4, 2, 3, 6), (3, 1, 4, 2, 3)]


@check("DotProductAttention", hint="scores (batch, queries, keys) = bmm(queries, "
                                   "keys.transpose(1, 2)); output = bmm(weights, values): "
                                   "(batch, queries, value_size).")
def test_output_shapes(student):
    """returns (batch_size, num_queries, value_size) and keeps attention_weights of shape (batch_size, num_queries, num_kv_pairs)"""
    for index, (b, nq, nk, d, dv) in enumerate(SHAPE_CASES):
        lens = None if index % 2 == 0 else torch.full((b,), nk)
        output, weights = _run_dot(student, _normal((b, nq, d), index), _normal((b, nk, d), 10 + index),
                                   _normal((b, nk, dv), 20 + index), lens, need_attribute=True)
        expect_shape(weights, (b, nq, nk), "attention_weights")
        expect_shape(output, (b, nq, dv), _("the output"))


@check("DotProductAttention", hint="weights = masked_softmax(bmm(Q, K^T) / sqrt(d), valid_lens), "
                                   "output = bmm(weights, V): the values, not the keys.")
@examples(20)
@given(data=attention_inputs())
def test_matches_sdpa(student, data):
    """matches torch's scaled_dot_product_attention (output and weights), with 1-D, 2-D or no valid_lens"""
    __, queries, keys, values, lens = data
    b, nq, nk, dv = queries.shape[0], queries.shape[1], keys.shape[1], values.shape[-1]
    output, weights = _run_dot(student, queries, keys, values, lens)
    W = _expect_weights(weights, (b, nq, nk), lens)
    expect_close(W, _oracle_weights(queries, keys, lens), what="attention_weights",
                 rationale=_("attention_weights differ from softmax(Q K^T / sqrt(d)) with the "
                             "mask"))
    expect_close(expect_shape(output, (b, nq, dv), _("the output")),
                 _sdpa(queries, keys, values, lens), what=_("the output"),
                 rationale=_("the output differs from attention_weights @ values"))


def _masked_pairs_check(run, data, replacement):
    """Changing the keys and values that every query masks changes nothing."""
    sizes, queries, keys, values, lens = data
    hidden = ~_mask(queries.shape[:2] + keys.shape[1:2], lens).any(dim=1)    # (b, nk)
    new_keys = torch.where(hidden[..., None], replacement[0], keys)
    new_values = torch.where(hidden[..., None], replacement[1], values)
    out1, w1 = run(sizes, queries, keys, values, lens)
    out2, w2 = run(sizes, queries, new_keys, new_values, lens)
    expect_shape(w2, w1.shape, "attention_weights")
    where = "; ".join(_("batch {b}: keys {keys}", b=b,
                        keys=[k for k in range(keys.shape[1]) if hidden[b, k]])
                      for b in range(keys.shape[0]) if hidden[b].any())
    expect_close(out2, expect_shape(out1, out2.shape, _("the output")), what=_("the output"),
                 atol=1e-4, rationale=_("changing the keys and values at masked positions "
                                        "({where}) changed the output (shown: the run with the "
                                        "changed pairs)", where=where))
    expect_close(w2, w1, what="attention_weights", atol=1e-5,
                 rationale=_("changing the keys at masked positions ({where}) changed the "
                             "attention weights", where=where))


@st.composite
def _masked_data(draw, additive):
    data = draw(attention_inputs(additive=additive, kinds=("1d", "2d"), max_len_below_keys=True))
    keys, values = data[2], data[3]
    replacement = (_values(draw, keys.shape, 3.0), _values(draw, values.shape, 9.0))
    return data, replacement


@check("DotProductAttention", hint=MASKED_PAIRS_HINT)
@examples(10)
@given(data=_masked_data(additive=False))
def test_masked_pairs_do_not_matter(student, data):
    """changing the keys and values beyond the valid length changes neither output nor weights"""
    inputs, replacement = data
    _masked_pairs_check(lambda s, q, k, v, lens: _run_dot(student, q, k, v, lens), inputs,
                        replacement)


def _permutation_check(run, data, perms):
    """Permuting keys and values together (within the valid prefix) permutes the weights and
    leaves the output unchanged."""
    sizes, queries, keys, values, lens = data
    order = torch.arange(keys.shape[1]).repeat(keys.shape[0], 1)
    for b, perm in enumerate(perms):
        order[b, :len(perm)] = torch.tensor(perm, dtype=torch.int64)
    assume(bool((order != torch.arange(keys.shape[1])).any()))
    gather = order[..., None]
    new_keys = keys.gather(1, gather.expand(-1, -1, keys.shape[2]))
    new_values = values.gather(1, gather.expand(-1, -1, values.shape[2]))
    out1, w1 = run(sizes, queries, keys, values, lens)
    out2, w2 = run(sizes, queries, new_keys, new_values, lens)
    w1 = expect_shape(w1, queries.shape[:2] + keys.shape[1:2], "attention_weights")
    expected_w = w1.gather(2, order[:, None, :].expand(-1, w1.shape[1], -1))
    shown = "; ".join(_("batch {b}: pairs reordered as old positions {order}", b=b,
                        order=order[b].tolist())
                      for b in range(keys.shape[0])
                      if bool((order[b] != torch.arange(keys.shape[1])).any()))
    expect_close(w2, expected_w, what="attention_weights", atol=1e-5,
                 rationale=_("permuting the key-value pairs ({shown}) did not permute the "
                             "attention weights the same way: a key's weight must depend only "
                             "on that key and the query (shown: the permuted run)", shown=shown))
    expect_close(out2, expect_shape(out1, out2.shape, _("the output")), what=_("the output"),
                 atol=1e-4, rationale=_("permuting the key-value pairs together ({shown}) "
                                        "changed the output (shown: the permuted run)",
                                        shown=shown))


@st.composite
def _permuted_data(draw, additive):
    data = draw(attention_inputs(additive=additive, min_keys=2))
    queries, keys, lens = data[1], data[2], data[4]
    common = _mask(queries.shape[:2] + keys.shape[1:2], lens).all(dim=1).sum(dim=1)   # (b,)
    perms = [draw(st.permutations(list(range(int(m))))) for m in common]
    return data, perms


@check("DotProductAttention", hint="score every (query, key) pair with the same rule: "
                                   "bmm(queries, keys.transpose(1, 2)), not keys.reshape(...), "
                                   "which mixes the coordinates of different keys.")
@examples(10)
@given(data=_permuted_data(additive=False))
def test_permutation_equivariant(student, data):
    """permuting the valid key-value pairs together leaves the output unchanged and permutes the weights"""
    inputs, perms = data
    _permutation_check(lambda s, q, k, v, lens: _run_dot(student, q, k, v, lens), inputs, perms)


DROP_B, DROP_Q, DROP_K = 2, 4, 6        # 48 weights: see the module docstring's bound


def _dropout_check(output, weights, p, expected_weights):
    """Training mode, values = [identity | ones]: output[..., :K] are the dropped weights and
    output[..., K] their sum.  The weights before dropout are deterministic: the judge computes
    them (``expected_weights``) rather than trusting the ones the worker reports."""
    W = as_float64(expect_shape(weights, (DROP_B, DROP_Q, DROP_K), "attention_weights"))
    out = as_float64(expect_shape(output, (DROP_B, DROP_Q, DROP_K + 1), _("the output")))
    _expect_rows_sum_to_one(W, _("attention_weights (in training mode)"))
    expect_close(W, expected_weights, atol=1e-5, rtol=1e-4,
                 what=_("attention_weights (in training mode)"),
                 rationale=_("in training mode attention_weights should still be the softmax "
                             "weights before dropout, the same as in evaluation mode"))
    dropped, kept = out[..., :DROP_K], out[..., DROP_K]
    scaled = W / (1 - p)
    if torch.allclose(dropped, W, atol=1e-6):
        raise Failure(_("in training mode with dropout = {p}, no attention weight was "
                        "dropped: with the identity as values, the output equals "
                        "attention_weights", p=p),
                      expected=_("each weight 0 or weight / (1 - dropout)"),
                      actual=_("weights {row} (batch 0, query 0), unchanged",
                               row=_row(dropped[0, 0])),
                      help=_("apply self.dropout (an nn.Dropout) to the attention weights in "
                             "forward; creating it in __init__ is not enough."))
    ok = (dropped.abs() <= 1e-6) | torch.isclose(dropped, scaled, rtol=1e-4, atol=1e-6)
    if not ok.all():
        b, q, k = (int(i) for i in (~ok).nonzero()[0])
        raise Failure(_("with the identity as values, the output should be the attention "
                        "weights after dropout: each one 0 or weight / (1 - dropout)"),
                      expected=_("0 or {value} at (batch {b}, query {q}, key {k})",
                                 value=f"{float(scaled[b, q, k]):.6g}", b=b, q=q, k=k),
                      actual=f"{float(dropped[b, q, k]):.6g}")
    if not torch.allclose(kept, dropped.sum(-1), rtol=1e-4, atol=1e-5):
        raise Failure(_("the dropout is not applied to the attention weights: with a column "
                        "of ones among the values, that output column should be the sum of the "
                        "dropped-out weights"), expected=_row(dropped.sum(-1).flatten()),
                      actual=_row(kept.flatten()),
                      details=_("dropping elements of the output (or of the values) instead of "
                                "the weights gives this"))
    zero = int((dropped.abs() <= 1e-6).sum())
    if zero == 0 or zero == dropped.numel():
        raise Failure(_("in training mode with dropout = {p}, {zero} of the {total} weights "
                        "were dropped", p=p, zero=zero, total=dropped.numel()),
                      expected=_("some dropped and some kept"),
                      actual=_("{zero} dropped", zero=zero))


def _dropout_inputs(query_size):
    queries = _normal((DROP_B, DROP_Q, query_size), 1)
    keys = _normal((DROP_B, DROP_K, 3), 2)
    eye = torch.eye(DROP_K).expand(DROP_B, DROP_K, DROP_K)
    values = torch.cat([eye, torch.ones(DROP_B, DROP_K, 1)], dim=-1)
    return queries, keys, values


@check("DotProductAttention", hint="self.attention_weights = masked_softmax(...) (before "
                                   "dropout); return bmm(self.dropout(self.attention_weights), "
                                   "values).")
def test_dropout_is_on_the_weights(student):
    """in training mode, drops attention weights (not outputs) and keeps the weights before dropout in attention_weights (statistical; false failure < 1e-14)"""
    queries, keys, values = _dropout_inputs(3)
    output, weights = _run_dot(student, queries, keys, values, None, dropout=0.5, training=True)
    expected = torch.softmax(torch.bmm(queries, keys.transpose(1, 2)) / math.sqrt(3), dim=-1)
    _dropout_check(output, weights, 0.5, expected)


@check("DotProductAttention", hint="compute the scores with torch.bmm and call your "
                                   "masked_softmax; scaled_dot_product_attention and "
                                   "nn.MultiheadAttention do the whole exercise for you.")
def test_does_not_call_sdpa(student):
    """is implemented by hand, not with torch's scaled_dot_product_attention or MultiheadAttention"""
    queries, keys, values = _normal((2, 3, 4), 5), _normal((2, 5, 4), 6), _normal((2, 5, 3), 7)
    lens = torch.tensor([[1, 3, 5], [2, 4, 4]])
    reply = student.run_reply(dot_product_attention, 0.0, False, queries, keys, values, lens,
                              watch=True)
    expect_no_builtin(reply, "DotProductAttention")


# ============================================================================ AdditiveAttention
BOOK_SIZES = {"key_size": 2, "query_size": 20, "num_hiddens": 8, "dropout": 0.1}


@check("AdditiveAttention", hint=BOOK_HINT)
def test_additive_book_example(student):
    """reproduces the book's example (key_size 2, query_size 20, num_hiddens 8, dropout 0.1 in eval mode)"""
    queries = _normal((2, 1, 20), 0)
    output, weights = _run_additive(student, BOOK_SIZES, queries, BOOK_KEYS, BOOK_VALUES,
                                    BOOK_LENS, seed=None)
    _expect_book_example(output, weights)


@check("AdditiveAttention", hint="three nn.Linear layers with bias=False: W_k (key_size -> "
                                 "num_hiddens), W_q (query_size -> num_hiddens), w_v "
                                 "(num_hiddens -> 1); nn.Dropout has no parameters.")
def test_parameter_shapes(student):
    """has exactly the weights W_k (num_hiddens x key_size), W_q (num_hiddens x query_size) and w_v (1 x num_hiddens), no bias"""
    sizes = {"key_size": 3, "query_size": 5, "num_hiddens": 7, "dropout": 0.0}
    shapes = student.run(additive_parameter_shapes, sizes, _normal((2, 2, 5), 0),
                         _normal((2, 4, 3), 1), _normal((2, 4, 2), 2))
    expected = sorted([[7, 3], [7, 5], [1, 7]])
    if not isinstance(shapes, list) or sorted(shapes) != expected:
        have = sorted(shapes) if isinstance(shapes, list) else shapes
        extra = [s for s in have if s not in expected] if isinstance(have, list) else []
        missing = [s for s in expected if not isinstance(have, list) or s not in have]
        details = "; ".join(part for part in (
            _("missing {parameters}", parameters=missing) if missing else "",
            (_("unexpected {parameters} (1-D parameters are biases: use bias=False)",
               parameters=extra) if any(len(s) == 1 for s in extra) else
             _("unexpected {parameters}", parameters=extra))
            if extra else "") if part)
        raise Failure(_("the module's parameters are not the three weight matrices of the "
                        "book"),
                      expected=_("shapes {shapes}", shapes=expected),
                      actual=_("shapes {shapes}", shapes=have),
                      details=details or None)


@check("AdditiveAttention", hint="apply tanh to W_q(q) + W_k(k) before w_v: without it the "
                                 "score is w_v(W_q q) + w_v(W_k k), and the query's part, the "
                                 "same for every key, cancels in the softmax.")
def test_weights_depend_on_query(student):
    """gives different queries different attention weights over the same keys"""
    sizes = {"key_size": 3, "query_size": 5, "num_hiddens": 6, "dropout": 0.0}
    queries = 2 * _normal((1, 3, 5), 3)
    keys, values = _normal((1, 4, 3), 4), _normal((1, 4, 2), 5)
    __, weights = _run_additive(student, sizes, queries, keys, values, None, seed=1)
    W = _expect_weights(weights, (1, 3, 4), None)
    spread = float((W.max(dim=1).values - W.min(dim=1).values).max())
    if spread < 1e-3:
        raise Failure(_("every query got the same attention weights: the scores do not depend "
                        "on the query"), expected=_("weights that change with the query"),
                      actual=_("rows {rows}", rows=", ".join(_row(W[0, q]) for q in range(3))),
                      details=_("largest difference between two queries: {spread}",
                                spread=f"{spread:.3g}"))


@check("AdditiveAttention", hint="features (batch, queries, keys, num_hiddens) = "
                                 "queries.unsqueeze(2) + keys.unsqueeze(1); squeeze only the "
                                 "last axis: .squeeze(-1), or batches and queries of size 1 "
                                 "disappear too.")
def test_additive_output_shapes(student):
    """returns (batch_size, num_queries, value_size) and keeps attention_weights of shape (batch_size, num_queries, num_kv_pairs), also with a batch or a query of size 1"""
    for index, (b, nq, nk, __, dv) in enumerate(SHAPE_CASES):
        sizes = {"key_size": 2 + index % 2, "query_size": 4, "num_hiddens": 3, "dropout": 0.0}
        lens = None if index % 2 == 0 else torch.full((b,), nk)
        output, weights = _run_additive(
            student, sizes, _normal((b, nq, 4), index), _normal((b, nk, sizes["key_size"]), 10 + index),
            _normal((b, nk, dv), 20 + index), lens, need_attribute=True)
        expect_shape(weights, (b, nq, nk), "attention_weights")
        expect_shape(output, (b, nq, dv), _("the output"))


@check("AdditiveAttention", hint="score(q, k) = w_v(tanh(W_q q + W_k k)) for every pair, then "
                                 "masked_softmax over the keys and bmm with the values.")
@examples(12)
@given(data=attention_inputs(additive=True), seed=st.integers(0, 3))
def test_matches_reference(student, reference, data, seed):
    """matches the reference (output and weights) with the same layer weights, with 1-D, 2-D or no valid_lens"""
    sizes, queries, keys, values, lens = data
    ref_out, ref_w = _reference_additive(reference, sizes, seed, queries, keys, values, lens)
    output, weights = _run_additive(student, sizes, queries, keys, values, lens, seed=seed)
    W = _expect_weights(weights, ref_w.shape, lens)
    expect_close(W, ref_w, what="attention_weights",
                 rationale=_("attention_weights differ from the reference's with the same "
                             "layer weights"))
    expect_close(expect_shape(output, ref_out.shape, _("the output")), ref_out, what=_("the output"),
                 atol=1e-4, rationale=_("the output differs from attention_weights @ values"))


@check("AdditiveAttention", hint=MASKED_PAIRS_HINT)
@examples(7)
@given(data=_masked_data(additive=True))
def test_additive_masked_pairs_do_not_matter(student, data):
    """changing the keys and values beyond the valid length changes neither output nor weights"""
    inputs, replacement = data
    _masked_pairs_check(lambda s, q, k, v, lens: _run_additive(student, s, q, k, v, lens),
                        inputs, replacement)


@check("AdditiveAttention", hint="score every (query, key) pair with the same rule, by "
                                 "broadcasting queries.unsqueeze(2) + keys.unsqueeze(1): "
                                 "query i must meet exactly key j at position (i, j).")
@examples(7)
@given(data=_permuted_data(additive=True))
def test_additive_permutation_equivariant(student, data):
    """permuting the valid key-value pairs together leaves the output unchanged and permutes the weights"""
    inputs, perms = data
    _permutation_check(lambda s, q, k, v, lens: _run_additive(student, s, q, k, v, lens),
                       inputs, perms)


@check("AdditiveAttention", hint="self.attention_weights = masked_softmax(...) (before "
                                 "dropout); return bmm(self.dropout(self.attention_weights), "
                                 "values).")
def test_additive_dropout_is_on_the_weights(student, reference):
    """in training mode, drops attention weights (not outputs) and keeps the weights before dropout in attention_weights (statistical; false failure < 1e-14)"""
    queries, keys, values = _dropout_inputs(4)
    sizes = {"key_size": 3, "query_size": 4, "num_hiddens": 5, "dropout": 0.5}
    output, weights = _run_additive(student, sizes, queries, keys, values, None, seed=2,
                                    training=True)
    expected = _reference_additive(reference, sizes, 2, queries, keys, values, None)[1]
    _dropout_check(output, weights, 0.5, expected)
