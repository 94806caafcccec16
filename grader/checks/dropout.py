"""Checks for solutions/dropout.py.

Statistical checks and their false-failure bounds (a correct dropout, whatever the mask it
draws, fails with at most this probability; Hoeffding: P(|mean - E| >= t) <= 2 exp(-2 n t^2)):
    kept_fraction_matches_probability: 2 tests x 2 exp(-2 * 100_000 * 0.012^2) = 1.3e-12
    masks_are_independent:             2 tests x 2 exp(-2 * 100_000 * 0.012^2) = 1.3e-12
    DropoutMLP train_mode_drops_hidden_units: < 4e-13 (see the DropoutMLP section)
Total for this file: < 4e-12, far under the 1e-9 the course promises.
"""
import math

import torch
from hypothesis import example, given
from hypothesis import strategies as st
from torch import nn

from grader.judge.api import (_, N_, Failure, advise_device, as_float64, check, examples, expect_close,
    expect_no_builtin, expect_raises, expect_shape, expect_tensor, fill_by_shape, scenario,
    shapes, tensors, values)

# "X: a tensor of any shape": 0-d (one number) to 5-D; sides shrink with the number of
# dimensions so that no draw has more than 243 elements (the example counts stay as they were)
ANY_SHAPE = st.integers(0, 5).flatmap(lambda d: shapes(d, 1, 6 if d <= 3 else 3))
# "X: a tensor of any shape (and any dtype)": integer, float32 and float64 inputs
ANY_TENSOR = ANY_SHAPE.flatmap(lambda s: st.sampled_from(
    [torch.float32, torch.int64, torch.float64]).flatmap(lambda d: tensors(s, dtype=d)))
HOEFFDING_T = 0.012        # with n = 100_000: 2 exp(-2 n t^2) = 6.3e-13 per test
N_STAT = 100_000


def hoeffding_bound(n: int, t: float) -> float:
    return 2 * math.exp(-2 * n * t * t)


assert hoeffding_bound(N_STAT, HOEFFDING_T) < 1e-12


# the hint of this failure, whichever check observed it (a hint belongs to the failure)
_SCALING_HINT = N_("inverted dropout divides every kept element by 1 - drop_prob (the keep "
                 "probability): Y = mask * X / (1 - drop_prob), so that the expected value of "
                 "each element stays X.")


def _only_zeros_or_scaled(Y, X, p, what=None):
    """Every element of Y is 0 or X / (1 - p); ``what``: the result by default."""
    Y, scaled = as_float64(Y, X.float() / (1 - p))
    ok = (Y == 0) | torch.isclose(Y, scaled, rtol=1e-5, atol=1e-6)
    if not bool(ok.all()):
        index = tuple(int(i) for i in (~ok).nonzero()[0])
        raise Failure(_("{what} has an element that is neither dropped (0) nor scaled by "
                        "1 / (1 - drop_prob)", what=what or _("the result")),
                      expected=_("0 or {value} at index {index}",
                                 value=f"{float(scaled[index]):.6g}", index=index),
                      actual=f"{float(Y[index]):.6g}", help=_(_SCALING_HINT))


@check("dropout", hint="dropout only zeroes elements: the output has exactly X's shape.")
@examples(15)
@given(X=ANY_TENSOR, p=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
@example(X=torch.tensor(7), p=0.5)                        # 0-d, whatever hypothesis draws
@example(X=torch.ones(2, 1, 3, 1, 2, dtype=torch.float64), p=0.3)        # and 5-D
def test_keeps_shape(student, X, p):
    """returns a tensor of the input's shape (integer, float32 and float64 inputs)"""
    expect_shape(student.dropout(X, p), X.shape)


@check("dropout", hint="start with X = X.float(): integer inputs must give a float result, "
                       "also when drop_prob is 0 or 1.")
def test_converts_to_float(student):
    """converts an integer input to float (for every drop_prob)"""
    X = torch.arange(12).reshape(3, 4)
    for p in (0.0, 0.5, 1.0):
        Y = expect_tensor(student.dropout(X, p))
        if not Y.is_floating_point():
            raise Failure(_("with an int64 input and drop_prob={p}, the result is not float",
                            p=p), expected=_("a floating-point dtype"), actual=str(Y.dtype))
    expect_close(student.dropout(X, 0.0), X.float(), rtol=0, atol=0)


@check("dropout", hint="with drop_prob = 0 every element is kept and divided by 1 - 0 = 1.")
@examples(15)
@given(X=ANY_SHAPE.flatmap(lambda s: tensors(s, integer_valued=False, low=-100, high=100)))
@example(X=torch.tensor(-2.5))
def test_p0_is_identity(student, X):
    """drop_prob = 0 returns the input unchanged"""
    expect_close(student.dropout(X, 0.0), X, rtol=0, atol=0,
                 rationale=_("dropout(X, 0) must equal X"))


@check("dropout", hint="with drop_prob = 1 nothing is kept; 1 - drop_prob is 0, so return "
                       "zeros before dividing by it.")
@examples(12)
@given(X=ANY_TENSOR, p=st.sampled_from([1, 1.0]))
def test_p1_gives_zeros(student, X, p):
    """drop_prob = 1 returns all zeros (no division by zero)"""
    expect_close(student.dropout(X, p), torch.zeros(X.shape), rtol=0, atol=0,
                 rationale=_("dropout(X, 1) must be all zeros"))


@check("dropout", hint="check 0 <= drop_prob <= 1 first: assert it, or raise ValueError.")
def test_invalid_probability_raises(student):
    """a drop_prob outside [0, 1] raises AssertionError or ValueError"""
    X = torch.ones(2, 3)
    for p in (-0.1, 1.5, 2.0, -1.0):
        expect_raises(student.dropout, X, p, what=f"dropout(X, {p})")


@check("dropout", hint="inverted dropout divides the kept elements by 1 - drop_prob "
                       "(the keep probability), not by drop_prob, and keeps X's sign and value.")
@examples(20)
@given(X=ANY_SHAPE.flatmap(
    lambda s: tensors(s, integer_valued=False, low=-50, high=50, nonzero=True)),
    p=st.floats(0.05, 0.95))
@example(X=torch.tensor(3.0), p=0.5)
def test_kept_values_are_scaled(student, X, p):
    """every element is either dropped (0) or scaled to X / (1 - drop_prob)"""
    Y = expect_shape(student.dropout(X, p), X.shape)
    _only_zeros_or_scaled(Y, X, p)


@check("dropout", hint="an element is dropped with probability drop_prob: keep it when "
                       "torch.rand(...) < 1 - drop_prob.")
def test_kept_fraction_matches_probability(student):
    """drops a fraction drop_prob of 100,000 elements (statistical; false failure < 1e-12)"""
    X = torch.ones(200, N_STAT // 200)
    for p in (0.2, 0.7):
        Y = expect_shape(student.dropout(X, p), X.shape)
        _only_zeros_or_scaled(Y, X, p)
        kept = float((Y != 0).float().mean())
        if abs(kept - (1 - p)) >= HOEFFDING_T:
            raise Failure(_("with drop_prob={p}, the fraction of kept elements is far from "
                            "1 - drop_prob", p=p),
                          expected=_("about {fraction} (within {tolerance})",
                                     fraction=f"{1 - p:.3f}", tolerance=HOEFFDING_T),
                          actual=f"{kept:.4f}")


@check("dropout", hint="draw one random number per element: torch.rand(X.shape), not one "
                       "per row or per column.")
def test_masks_are_independent(student):
    """drops elements independently, not whole rows or columns (statistical; < 1e-12)"""
    X = torch.ones(400, 500)
    Y = expect_shape(student.dropout(X, 0.5), X.shape)
    kept = (Y != 0).float()
    # disjoint pairs of rows (and of columns) are independent: they agree half of the time
    rows = float((kept[0::2] == kept[1::2]).float().mean())       # 200 x 500 = 100,000 pairs
    cols = float((kept[:, 0::2] == kept[:, 1::2]).float().mean())  # 400 x 250 = 100,000 pairs
    for message, agree in ((N_("neighbouring rows have almost the same mask: elements are not "
                               "dropped independently"), rows),
                           (N_("neighbouring columns have almost the same mask: elements are "
                               "not dropped independently"), cols)):
        if abs(agree - 0.5) >= HOEFFDING_T:
            raise Failure(_(message), expected=_("masks agree on about 50% of positions"),
                          actual=_("they agree on {share}", share=f"{agree:.1%}"))


@check("dropout", hint="write the mask yourself with torch.rand; F.dropout does the whole "
                       "exercise for you.")
def test_does_not_call_builtin(student):
    """is implemented by hand, not with torch's dropout"""
    X = torch.arange(1.0, 41.0).reshape(5, 8)
    reply = student.dropout.reply(X, 0.5, watch=True)
    expect_no_builtin(reply, "dropout")


@check("dropout", advisory=True)
def test_does_not_modify_input(student):
    """leaves its input tensor unchanged"""
    X = torch.arange(1.0, 13.0).reshape(3, 4)
    reply = student.dropout.reply(X, 0.5, check_mutation=True)
    if reply.mutated:
        raise Failure(_("dropout changes its argument X in place (X.float() does not copy a "
                        "float tensor): compute a new tensor instead of writing into X"))


@check("dropout", advisory=True)
def test_creates_tensors_on_input_device(student_source):
    """creates its mask on the input's device"""
    advise_device(student_source, "dropout")


# =============================================================================== DropoutMLP
# The network is exercised by scenarios (it is an object).  Every layer size below is distinct,
# so fill_by_shape / load_by_shape give the student's network and the judge's plain MLP the
# same weights whatever the attribute names.  The checks build the network with the book's
# four positional sizes only (never dropout1=/dropout2=), so that the book's class, which reads
# the module-level names dropout1 and dropout2, passes as it is.
#
# Statistical bound (train_mode_drops_hidden_units), for a correct network:
#   kept fraction of H1 (2,000 units, p = 0.2), 2 calls: 2 x 2 exp(-2 * 2000 * 0.1^2) = 1.7e-17
#   kept fraction of H2 (1,500 units, p = 0.5), 2 calls: 2 x 2 exp(-2 * 1500 * 0.1^2) = 3.7e-13
#   the two calls draw the same mask: H1: 0.68^2000 < 1e-300, H2: 0.5^1500 < 1e-300
#   total < 4e-13.  The other DropoutMLP checks are exact (no statistics).
MLP_DROP1, MLP_DROP2 = 0.2, 0.5          # the book's dropout1, dropout2
MLP_LAYER_NAMES = ("lin1 = nn.Linear(num_inputs, num_hiddens1)",
                   "lin2 = nn.Linear(num_hiddens1, num_hiddens2)",
                   "lin3 = nn.Linear(num_hiddens2, num_outputs)")


@scenario
def mlp_layers(sizes):
    """built net = DropoutMLP(num_inputs, num_outputs, num_hiddens1, num_hiddens2) and listed its nn.Linear layers"""
    net = student.DropoutMLP(*sizes)
    materialise(net, (torch.zeros(2, sizes[0]),))       # lazy layers (nn.LazyLinear) get shapes
    linear = [[list(m.weight.shape), m.bias is not None] for m in net.modules()
              if isinstance(m, nn.Linear)]
    return {"linear": linear, "params": [list(p.shape) for p in net.parameters()]}


@scenario
def mlp_eval_outputs(sizes, seed, X):
    """built net = DropoutMLP(*sizes), filled its weights by shape, called net.eval() and computed net(X) twice"""
    net = student.DropoutMLP(*sizes)
    fill_by_shape(net, seed, inputs=(X,))
    net.eval()
    with torch.no_grad():
        return [net(X), net(X)]


@scenario
def mlp_not_training_outputs(sizes, seed, X):
    """built net = DropoutMLP(*sizes, is_training=False), filled its weights by shape and computed net(X) twice"""
    net = student.DropoutMLP(*sizes, is_training=False)
    fill_by_shape(net, seed, inputs=(X,))
    with torch.no_grad():
        return [net(X), net(X)]


@scenario
def mlp_train_layer_inputs(sizes, seed, weights, X):
    """built net = DropoutMLP(*sizes), set its weights, called net.train(), computed net(X) twice and recorded what each nn.Linear layer received"""
    net = student.DropoutMLP(*sizes)
    if weights is None:
        fill_by_shape(net, seed, inputs=(X,))
    else:
        load_by_shape(net, weights, inputs=(X,))
    net.train()
    seen = {}
    for m in net.modules():
        if isinstance(m, nn.Linear):
            key = "x".join(str(n) for n in m.weight.shape)
            m.register_forward_pre_hook(
                lambda mod, args, key=key: seen.setdefault(key, []).append(args[0].detach().clone()))
    with torch.no_grad():
        outputs = [net(X), net(X)]
    return {"inputs": seen, "outputs": outputs}


@scenario
def mlp_custom_probabilities(sizes, seed, X):
    """built net = DropoutMLP(*sizes, dropout1=0.0, dropout2=1.0) (its constructor takes them), filled its weights by shape, called net.train() and recorded what each nn.Linear layer received"""
    net = student.DropoutMLP(*sizes, dropout1=0.0, dropout2=1.0)
    fill_by_shape(net, seed, inputs=(X,))
    net.train()
    seen = {}
    for m in net.modules():
        if isinstance(m, nn.Linear):
            key = "x".join(str(n) for n in m.weight.shape)
            m.register_forward_pre_hook(
                lambda mod, args, key=key: seen.setdefault(key, []).append(args[0].detach().clone()))
    with torch.no_grad():
        net(X)
    return seen


@scenario
def mlp_train_forward(sizes, seed, X):
    """built net = DropoutMLP(*sizes), filled its weights by shape, called net.train() and computed net(X)"""
    net = student.DropoutMLP(*sizes)
    fill_by_shape(net, seed, inputs=(X,))
    net.train()
    with torch.no_grad():
        return net(X)


def _constructor_takes(source: str, class_name: str, names) -> bool:
    """Whether the class's own ``__init__``, as written in the student's source (read by the
    judge, not reported by the worker), names every one of ``names`` as a parameter."""
    import ast
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef) and node.name == class_name:
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    args = item.args
                    declared = {a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)}
                    return all(name in declared for name in names)
    return False


def _plain_mlp(sizes, seed):
    """The judge's own MLP (no dropout) with the weights fill_by_shape gives the student's."""
    num_inputs, num_outputs, h1, h2 = sizes
    lin1, lin2, lin3 = nn.Linear(num_inputs, h1), nn.Linear(h1, h2), nn.Linear(h2, num_outputs)
    fill_by_shape(nn.Sequential(lin1, lin2, lin3), seed)
    return lin1, lin2, lin3


def _plain_forward(sizes, seed, X):
    lin1, lin2, lin3 = _plain_mlp(sizes, seed)
    with torch.no_grad():
        return lin3(torch.relu(lin2(torch.relu(lin1(X.reshape(-1, sizes[0]))))))


def _layer_input(inputs, sizes, layer: int, what: str):
    """What the student's lin1/lin2/lin3 received (recorded by the scenario's hooks)."""
    num_inputs, num_outputs, h1, h2 = sizes
    shape = [(h1, num_inputs), (h2, h1), (num_outputs, h2)][layer]
    recorded = inputs.get("x".join(str(n) for n in shape)) if isinstance(inputs, dict) else None
    if not recorded:
        raise Failure(_("the layer {layer} (weight shape {shape}) was never called during "
                        "forward", layer=MLP_LAYER_NAMES[layer], shape=shape),
                      expected=_("{what} passed through it", what=what),
                      actual=_("no call of that nn.Linear module"),
                      help=_("keep the three layers as nn.Linear modules and call them in "
                             "forward"))
    return recorded


def _mlp_sizes():
    """(num_inputs, num_outputs, num_hiddens1, num_hiddens2), all distinct, and a 4-D input."""
    @st.composite
    def build(draw):
        c, h, w = draw(st.integers(1, 2)), draw(st.integers(1, 4)), draw(st.integers(2, 4))
        num_inputs = c * h * w
        others = draw(st.lists(st.integers(2, 9).filter(lambda n: n != num_inputs),
                               min_size=3, max_size=3, unique=True))
        batch = draw(st.integers(1, 4))
        X = draw(tensors((batch, c, h, w), integer_valued=False, low=-3, high=3))
        return (num_inputs, others[0], others[1], others[2]), X
    return build()


def _zero_or_scaled(actual, kept, p, what: str):
    """Every element of ``actual`` is 0 or kept / (1 - p) (kept = the value before dropout)."""
    actual, kept = as_float64(actual, kept)
    scaled = kept / (1 - p)
    ok = torch.isclose(actual, torch.zeros_like(actual), atol=1e-6) | \
        torch.isclose(actual, scaled, rtol=1e-4, atol=1e-5)
    if not bool(ok.all()):
        index = tuple(int(i) for i in (~ok).nonzero()[0])
        raise Failure(_("{what}: an element is neither dropped (0) nor the ReLU output "
                        "scaled by 1 / (1 - {p})", what=what, p=p),
                      expected=_("0 or {value} at index {index} (the value before dropout is "
                                 "{before})", value=f"{float(scaled[index]):.6g}", index=index,
                                 before=f"{float(kept[index]):.6g}"),
                      actual=f"{float(actual[index]):.6g}")


@check("DropoutMLP", hint="three fully connected layers, as in the book: lin1 = "
                          "nn.Linear(num_inputs, num_hiddens1), lin2 = nn.Linear(num_hiddens1, "
                          "num_hiddens2), lin3 = nn.Linear(num_hiddens2, num_outputs); dropout "
                          "and ReLU have no parameters.")
def test_structure(student):
    """has three nn.Linear layers (num_inputs -> num_hiddens1 -> num_hiddens2 -> num_outputs) and no other parameters"""
    sizes = (12, 3, 9, 7)
    found = student.run(mlp_layers, sizes)
    if not isinstance(found, dict):
        raise Failure(_("the network could not be inspected"),
                      actual=values.format_value(found))
    want = [[9, 12], [7, 9], [3, 7]]
    linear = found.get("linear") or []
    shapes_found = [layer[0] for layer in linear]
    if len(linear) != 3:
        raise Failure(_("the network has {count} nn.Linear layers, expected 3",
                        count=len(linear)),
                      expected=_("weight shapes {shapes}",
                                 shapes=", ".join(str(tuple(s)) for s in want)),
                      actual=_("weight shapes {shapes}", shapes=(
                          ", ".join(str(tuple(s)) for s in shapes_found) or _("none"))))
    if sorted(shapes_found) != sorted(want):
        for index, (got, expected) in enumerate(zip(shapes_found, want)):
            if got != expected:
                raise Failure(_("layer {number} differs: {layer} is {linear} for sizes "
                                "num_inputs=12, num_outputs=3, num_hiddens1=9, num_hiddens2=7",
                                number=index + 1, layer=MLP_LAYER_NAMES[index],
                                linear=f"nn.Linear({expected[1]}, {expected[0]})"),
                              expected=_("weight shape {shape}", shape=tuple(expected)),
                              actual=_("weight shape {shape} ({linear})", shape=tuple(got),
                                       linear=f"nn.Linear({got[1]}, {got[0]})"))
    if not all(layer[1] for layer in linear):
        raise Failure(_("a linear layer has no bias"), expected="nn.Linear(..., bias=True)",
                      actual="bias=None")
    params = sorted(tuple(s) for s in found.get("params") or [])
    expected_params = sorted([(9, 12), (9,), (7, 9), (7,), (3, 7), (3,)])
    if params != expected_params:
        raise Failure(_("the network has parameters besides its three linear layers"),
                      expected=_("parameter shapes {shapes}", shapes=expected_params),
                      actual=f"{params}")


@check("DropoutMLP", hint="in evaluation mode (net.eval() sets self.training to False) skip "
                          "both dropouts; reshape X to (-1, num_inputs) before lin1, and apply "
                          "ReLU after lin1 and lin2 but not after lin3.")
@examples(12)
@given(data=_mlp_sizes(), seed=st.integers(0, 3))
def test_eval_matches_plain_mlp(student, data, seed):
    """in evaluation mode is deterministic and equals the plain MLP lin3(relu(lin2(relu(lin1(X))))) with the same weights"""
    sizes, X = data
    outputs = student.run(mlp_eval_outputs, sizes, seed, X)
    if not isinstance(outputs, list) or len(outputs) != 2:
        raise Failure(_("the network's output could not be read"),
                      actual=values.describe_type(outputs))
    expected = _plain_forward(sizes, seed, X)
    first = expect_close(outputs[0], expected, atol=1e-5, what=_("net(X) after net.eval()"))
    expect_close(outputs[1], first, rtol=0, atol=0, what=_("a second net(X) after net.eval()"),
                 rationale=_("in evaluation mode two calls on the same X give different "
                             "outputs: something is still random (dropout must be off)"))


@check("DropoutMLP", hint="in training mode drop H1 = relu(lin1(X)) with dropout1 = 0.2 and "
                          "H2 = relu(lin2(H1)) with dropout2 = 0.5, through your dropout "
                          "function, anew at every forward pass.")
def test_train_mode_drops_hidden_units(student):
    """in training mode drops a fraction 0.2 of the first hidden layer and 0.5 of the second, with a new mask at every call (statistical; false failure < 1e-12)"""
    sizes = (4, 3, 40, 30)
    # weights 0 and biases 1: every hidden unit is relu(1) = 1 before dropout
    weights = [torch.zeros(40, 4), torch.ones(40), torch.zeros(30, 40), torch.ones(30),
               torch.zeros(3, 30), torch.zeros(3)]
    X = torch.randn(50, 4, generator=torch.Generator().manual_seed(5))
    found = student.run(mlp_train_layer_inputs, sizes, 0, weights, X)
    inputs = found.get("inputs") if isinstance(found, dict) else None
    for layer, p, units in ((1, MLP_DROP1, 40), (2, MLP_DROP2, 30)):
        name = _("H1 (the input of lin2)") if layer == 1 else _("H2 (the input of lin3)")
        recorded = _layer_input(inputs, sizes, layer, name)
        if len(recorded) != 2:
            raise Failure(_("{name} was recorded {count} times for 2 calls of net(X)",
                            name=name, count=len(recorded)))
        masks = []
        for call, H in enumerate(recorded, 1):
            H = as_float64(expect_shape(H, (50, units),
                                        what=_("{name}, call {call}", name=name, call=call)))
            scale = 1 / (1 - p)
            ok = (H == 0) | torch.isclose(H, torch.full_like(H, scale))
            if not bool(ok.all()):
                index = tuple(int(i) for i in (~ok).nonzero()[0])
                raise Failure(_("{name} is wrong in training mode: every unit is 1 before "
                                "dropout in this test, so after dropout(., {p}) it must be 0 or "
                                "1 / (1 - {p}) = {scale}", name=name, p=p, scale=f"{scale:g}"),
                              expected=_("0 or {value}", value=f"{scale:g}"),
                              actual=_("{value} at index {index}",
                                       value=f"{float(H[index]):.6g}", index=index))
            kept = float((H != 0).float().mean())
            if abs(kept - (1 - p)) >= 0.1:
                raise Failure(_("{name}: the fraction of kept units is far from 1 - {p} (the "
                                "book's {constant} = {p})", name=name, p=p,
                                constant=f"dropout{layer}"),
                              expected=_("about {fraction} (within {tolerance})",
                                         fraction=f"{1 - p:.2f}", tolerance=0.1),
                              actual=f"{kept:.3f}")
            masks.append(H != 0)
        if bool((masks[0] == masks[1]).all()):
            raise Failure(_("two calls of net(X) in training mode drop exactly the same units "
                            "of {name}", name=name),
                          expected=_("a new random mask at every call"),
                          actual=_("the same mask twice (is a random seed set in forward?)"))


@check("DropoutMLP", hint="forward: H1 = relu(lin1(X.reshape(-1, num_inputs))), dropout(H1, "
                          "dropout1) while training, H2 = relu(lin2(H1)), dropout(H2, dropout2) "
                          "while training, return lin3(H2): no dropout on X or on the output.")
@examples(6)
@given(seed=st.integers(0, 10**6), batch=st.integers(2, 6))
def test_train_mode_matches_masked_mlp(student, seed, batch):
    """in training mode every stage is right: lin1 gets X reshaped, lin2 gets relu(lin1(X)) with units zeroed or scaled by 1/(1-0.2), lin3 gets relu(lin2(.)) zeroed or scaled by 1/(1-0.5), and the output is lin3 of that"""
    sizes = (12, 3, 9, 7)
    X = torch.randn(batch, 1, 3, 4, generator=torch.Generator().manual_seed(seed))
    found = student.run(mlp_train_layer_inputs, sizes, seed % 7, None, X)
    inputs = found.get("inputs") if isinstance(found, dict) else None
    outputs = found.get("outputs") if isinstance(found, dict) else None
    lin1, lin2, lin3 = _plain_mlp(sizes, seed % 7)
    x = X.reshape(-1, 12)
    with torch.no_grad():
        got1 = expect_shape(_layer_input(inputs, sizes, 0, "X")[0], x.shape,
                            what=_("the input of lin1"))
        expect_close(got1, x, what=_("the input of lin1"),
                     rationale=_("lin1 does not receive X.reshape(-1, num_inputs) (dropout is "
                                 "applied to the hidden layers, not to the input)"))
        H1 = torch.relu(lin1(x))
        got2 = expect_shape(_layer_input(inputs, sizes, 1, "H1")[0], H1.shape,
                            what=_("H1 (the input of lin2)"))
        _zero_or_scaled(got2, H1, MLP_DROP1, _("H1 (the input of lin2)"))
        H2 = torch.relu(lin2(got2))
        got3 = expect_shape(_layer_input(inputs, sizes, 2, "H2")[0], H2.shape,
                            what=_("H2 (the input of lin3)"))
        _zero_or_scaled(got3, H2, MLP_DROP2, _("H2 (the input of lin3)"))
        if not isinstance(outputs, list) or not outputs:
            raise Failure(_("the network's output could not be read"))
        expect_close(outputs[0], lin3(got3), atol=1e-5, what=_("net(X) in training mode"),
                     rationale=_("the output is not lin3(H2): no dropout and no ReLU after the "
                                 "last layer"))


@check("DropoutMLP", hint="the book's constructor sets self.training = is_training, so that "
                          "DropoutMLP(..., is_training=False) starts in evaluation mode.")
def test_is_training_false_is_deterministic(student):
    """built with is_training=False (the book's argument), it does not drop: it equals the plain MLP"""
    sizes, seed = (12, 3, 9, 7), 2
    X = torch.randn(4, 1, 3, 4, generator=torch.Generator().manual_seed(11))
    outputs = student.run(mlp_not_training_outputs, sizes, seed, X)
    if not isinstance(outputs, list) or len(outputs) != 2:
        raise Failure(_("the network's output could not be read"),
                      actual=values.describe_type(outputs))
    expected = _plain_forward(sizes, seed, X)
    for call, out in enumerate(outputs, 1):
        expect_close(out, expected, atol=1e-5, what=_("{name}, call {call}", name="net(X)",
                                                      call=call),
                     rationale=_("built with is_training=False, the network still drops units "
                                 "(or computes something else than the plain MLP)"))


@check("DropoutMLP", hint="call your own dropout(H, p) in forward; nn.Dropout and F.dropout "
                          "are torch's, and this exercise is about using yours.")
def test_mlp_does_not_call_builtin(student):
    """uses your dropout function, not nn.Dropout or torch's dropout"""
    sizes = (12, 3, 9, 7)
    X = torch.randn(5, 12, generator=torch.Generator().manual_seed(3))
    reply = student.run_reply(mlp_train_forward, sizes, 1, X, watch=True)
    expect_no_builtin(reply, "DropoutMLP")


@check("DropoutMLP", advisory=True)
def test_honours_drop_probabilities(student, student_source):
    """uses its dropout1 and dropout2 arguments (when the constructor takes them)"""
    if not _constructor_takes(student_source.text, "DropoutMLP", ("dropout1", "dropout2")):
        return                  # the book's signature: the probabilities are module constants
    sizes, seed = (12, 3, 9, 7), 4
    X = torch.randn(30, 12, generator=torch.Generator().manual_seed(8))
    inputs = student.run(mlp_custom_probabilities, sizes, seed, X)
    lin1, __, __ = _plain_mlp(sizes, seed)
    with torch.no_grad():
        H1 = torch.relu(lin1(X))
    got2 = expect_shape(_layer_input(inputs, sizes, 1, "H1")[0], H1.shape, what="H1")
    got3 = expect_shape(_layer_input(inputs, sizes, 2, "H2")[0], (30, 7), what="H2")
    if not torch.allclose(*as_float64(got2, H1), atol=1e-5) or bool((got3 != 0).any()):
        raise Failure(_("DropoutMLP takes dropout1 and dropout2 but ignores them: with "
                        "dropout1=0.0 nothing of H1 should be dropped, with dropout2=1.0 all of "
                        "H2 should be; store them (self.dropout1 = dropout1) and use them in "
                        "forward"))
