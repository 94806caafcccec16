"""Checks for solutions/stability.py: xavier_uniform_ and grad_clipping.

Both exercises change tensors in place, so every call runs in a scenario (inside the worker)
that makes the tensors, calls the student's function and returns plain tensors and booleans.

Statistical checks and their false-failure bounds (a correct xavier_uniform_, whatever values
it draws, fails with at most this probability).  The values are uniform on [-a, a]:
    "the largest value is at least 0.9 a" (and the smallest at most -0.9 a) fails only if all n
    values miss [0.9 a, a]: 0.95^n per side; every tensor below has n >= 1000, so <= 5.3e-23.
        bound_linear_weight: 10 examples x 2 sides x 5.3e-23 = 1.1e-21
        bound_conv_weight:   10 examples x 2 sides x 5.3e-23 = 1.1e-21
        gain:                10 examples x 2 sides x 0.95^1200 = 4.3e-26
        layer_weight:         2 tensors  x 2 sides x 0.95^1152 = 1.0e-25
        in_place:             1 tensor   x 2 sides x 0.95^1000 = 1.1e-22
    variance_matches_xavier, per tensor of n >= 100,000 values (Hoeffding,
    P(|mean - E| >= t) <= 2 exp(-2 n t^2 / range^2)):
        mean of (v / a)^2 in [0, 1], t = 0.013:  2 exp(-2 * 1e5 * 0.013^2)     = 4.2e-15
        mean of v / a in [-1, 1],    t = 0.03:   2 exp(-2 * 1e5 * 0.03^2 / 4)  = 5.7e-20
        2 tensors: < 1e-14
Total for this file: < 1e-14.  The grad_clipping checks are exact (no randomness).
"""
import math

import torch
from hypothesis import assume, given
from hypothesis import strategies as st
from torch import nn

from grader.judge.api import (_, N_, Failure, check, examples, expect_close, expect_no_builtin,
    expect_shape, expect_tensor, scenario, values)

NEAR_EDGE = 0.9            # the largest |value| must reach 0.9 a (see the bound above)


# =========================================================================== xavier_uniform_
@scenario
def xavier_fill(shape, gain, start):
    """made t = torch.full(shape, start) and called xavier_uniform_(t, gain), leaving gain out when it is None"""
    t = torch.full(tuple(shape), float(start))
    result = student.xavier_uniform_(t) if gain is None else student.xavier_uniform_(t, gain)
    returned = result.detach().clone() if isinstance(result, torch.Tensor) else None
    return {"same": result is t, "returned": returned, "returned_type": type(result).__name__,
            "filled": t.detach().clone()}


@scenario
def xavier_layer(kind, sizes, gain):
    """built a layer (nn.Linear(*sizes) or nn.Conv2d(*sizes)) and called xavier_uniform_(layer.weight, gain)"""
    layer = nn.Linear(*sizes) if kind == "linear" else nn.Conv2d(*sizes)
    weight = layer.weight
    student.xavier_uniform_(weight, gain)
    return {"is_parameter": isinstance(layer.weight, nn.Parameter) and layer.weight is weight,
            "requires_grad": bool(layer.weight.requires_grad),
            "values": layer.weight.detach().clone()}


def _bound(shape, gain=1.0) -> tuple[float, int, int]:
    """torch's own fans (the oracle) and the Xavier bound a."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    return gain * math.sqrt(6.0 / (fan_in + fan_out)), fan_in, fan_out


def _explain(shape, gain=1.0) -> str:
    a, fan_in, fan_out = _bound(shape, gain)
    return _("for a tensor of shape {shape}: {formula}", shape=tuple(shape),
             formula=f"fan_in = {fan_in}, fan_out = {fan_out}, "
                     f"a = {gain:.4g} * sqrt(6 / ({fan_in} + {fan_out})) = {a:.6g}")


def _filled_values(found, shape):
    """The tensor to judge: the returned one if it is a tensor, else the one passed in."""
    if not isinstance(found, dict):
        raise Failure(_("the result could not be read"), actual=values.describe_type(found))
    tensor = found.get("returned") if isinstance(found.get("returned"), torch.Tensor) \
        else found.get("filled")
    return expect_shape(tensor, shape, what=_("the filled tensor"))


def _expect_uniform_bound(tensor, shape, gain=1.0, what=None):
    """All values within [-a, a]; the largest near a and the smallest near -a.  ``what``: the
    filled tensor by default."""
    what = what or _("the filled tensor")
    a, __, __ = _bound(shape, gain)
    tensor = expect_tensor(tensor, what).double()
    if not bool(torch.isfinite(tensor).all()):
        raise Failure(_("{what} contains nan or inf", what=what),
                      expected=_("values in {interval}", interval=f"[-{a:.6g}, {a:.6g}]"))
    largest, low, high = float(tensor.abs().max()), float(tensor.min()), float(tensor.max())
    if largest > a * (1 + 1e-5) + 1e-7:
        raise Failure(_("{what} has values outside [-a, a]: the bound is too large (or the "
                        "values are not uniform)", what=what),
                      expected=f"|values| <= {a:.6g} ({_explain(shape, gain)})",
                      actual=_("a value of size {size}", size=f"{largest:.6g}"))
    if high < NEAR_EDGE * a or low > -NEAR_EDGE * a:
        raise Failure(_("{what} stays far inside [-a, a]: the bound is too small, or the "
                        "values do not cover both signs", what=what),
                      expected=_("values spread over {interval} ({explain})",
                                 interval=f"[-{a:.6g}, {a:.6g}]", explain=_explain(shape, gain)),
                      actual=_("values in {interval}", interval=f"[{low:.6g}, {high:.6g}]"))
    return tensor


@st.composite
def _linear_shapes(draw):
    return (draw(st.integers(32, 64)), draw(st.integers(32, 64)))          # >= 1024 values


@st.composite
def _conv_shapes(draw):
    out_c, in_c = draw(st.integers(12, 20)), draw(st.integers(12, 20))
    if draw(st.booleans()):
        return (out_c, in_c, draw(st.integers(3, 5)), draw(st.integers(3, 5)))   # >= 1296 values
    return (out_c, in_c, draw(st.integers(7, 11)))                             # >= 1008 values


@check("xavier_uniform_", hint="for a 2-D weight (out, in): fan_in = in = shape[1], fan_out = "
                               "out = shape[0], and the values are uniform on [-a, a] with a = "
                               "gain * sqrt(6 / (fan_in + fan_out)).")
@examples(10)
@given(shape=_linear_shapes())
def test_bound_linear_weight(student, shape):
    """fills an nn.Linear-shaped (out, in) tensor uniformly on [-a, a], a = sqrt(6 / (fan_in + fan_out)) (statistical; < 1e-20)"""
    found = student.run(xavier_fill, shape, None, 0.0)
    _expect_uniform_bound(_filled_values(found, shape), shape)


@check("xavier_uniform_", hint="a convolution weight (out, in, kh, kw) has a receptive field of "
                               "kh * kw (the product of the dimensions after the first two): "
                               "fan_in = in * kh * kw and fan_out = out * kh * kw.")
@examples(10)
@given(shape=_conv_shapes())
def test_bound_conv_weight(student, shape):
    """fills convolution weights (out, in, kh, kw) and (out, in, k): the fans include the receptive field (statistical; < 1e-20)"""
    found = student.run(xavier_fill, shape, None, 0.0)
    _expect_uniform_bound(_filled_values(found, shape), shape)


@check("xavier_uniform_", hint="fill the tensor you were given (tensor.uniform_(-a, a) under "
                               "torch.no_grad(), or tensor.copy_(...)) and return that same "
                               "tensor, as torch.nn.init does.")
def test_in_place(student):
    """fills the given tensor in place and returns that same tensor object"""
    shape = (20, 50)
    found = student.run(xavier_fill, shape, None, 7.0)
    if not isinstance(found, dict):
        raise Failure(_("the result could not be read"), actual=values.describe_type(found))
    filled = expect_shape(found.get("filled"), shape, what=_("the tensor passed in"))
    if bool((filled == 7.0).all()):
        raise Failure(_("the tensor passed in was not changed (it was full of 7.0 before the "
                        "call and still is): fill it in place instead of making a new tensor"),
                      expected=_("t filled with Xavier values"), actual=_("t unchanged"))
    _expect_uniform_bound(filled, shape, what=_("the tensor passed in"))
    if not found.get("same"):
        returned = found.get("returned_type")
        raise Failure(_("xavier_uniform_(t) does not return t itself"),
                      expected=_("the same tensor object t (so that w = xavier_uniform_(w) "
                                 "works)"),
                      actual="None" if returned == "NoneType" else _("another {kind}",
                                                                   kind=returned))


@check("xavier_uniform_", hint="draw uniformly on the symmetric interval [-a, a] (mean 0, "
                               "variance a^2 / 3): not [0, a], and not a normal distribution "
                               "with std a.")
def test_variance_matches_xavier(student):
    """has mean 0 and variance a^2 / 3 = 2 / (fan_in + fan_out) on 100,000 values, 2-D and 4-D (statistical; < 1e-14)"""
    for shape in ((250, 400), (64, 25, 8, 8)):
        found = student.run(xavier_fill, shape, None, 0.0)
        tensor = _filled_values(found, shape).double()
        a, __, __ = _bound(shape)
        mean = float((tensor / a).mean())
        ratio = float(((tensor / a) ** 2).mean())
        if abs(mean) >= 0.03:
            raise Failure(_("the values are not centred on 0 ({explain})",
                            explain=_explain(shape)),
                          expected=_("mean about 0 (within 0.03 a)"),
                          actual=_("mean {mean} a", mean=f"{mean:.4f}"))
        if abs(ratio - 1 / 3) >= 0.013:
            raise Failure(_("the variance is not a^2 / 3 = 2 / (fan_in + fan_out) ({explain})",
                            explain=_explain(shape)),
                          expected=_("mean of values^2 about {value} (a^2 / 3)",
                                     value=f"{a * a / 3:.6g}"),
                          actual=f"{ratio * a * a:.6g} ({ratio:.4f} a^2)")


@check("xavier_uniform_", hint="the gain multiplies the bound: a = gain * sqrt(6 / (fan_in + "
                               "fan_out)) (gain outside the square root).")
@examples(10)
@given(gain=st.floats(0.25, 4.0).map(lambda g: round(g, 3)))
def test_gain(student, gain):
    """scales the bound by gain: a = gain * sqrt(6 / (fan_in + fan_out)) (statistical; < 1e-25)"""
    shape = (40, 30)
    found = student.run(xavier_fill, shape, gain, 0.0)
    _expect_uniform_bound(_filled_values(found, shape), shape, gain)


@check("xavier_uniform_", hint="a layer's weight is an nn.Parameter that requires grad: change "
                               "it inside `with torch.no_grad():` (an in-place operation on it "
                               "otherwise raises), and keep it the same Parameter.")
def test_layer_weight(student):
    """initialises the weight of an nn.Linear and an nn.Conv2d (parameters that require grad) in place"""
    cases = (("linear", (30, 40), math.sqrt(2.0), (40, 30)),
             ("conv", (8, 16, 3), 1.0, (16, 8, 3, 3)))
    for kind, sizes, gain, shape in cases:
        found = student.run(xavier_layer, kind, sizes, gain)
        if not isinstance(found, dict):
            raise Failure(_("the result could not be read"), actual=values.describe_type(found))
        if not found.get("is_parameter") or not found.get("requires_grad"):
            raise Failure(_("after xavier_uniform_(layer.weight) the weight is no longer the "
                            "same trainable nn.Parameter"),
                          expected=_("the same Parameter, requires_grad True"),
                          actual=f"requires_grad {found.get('requires_grad')}")
        _expect_uniform_bound(found.get("values"), shape, gain, what="layer.weight")


@check("xavier_uniform_", hint="compute fan_in, fan_out and a yourself; nn.init.xavier_uniform_ "
                               "does the whole exercise for you (tensor.uniform_(-a, a) is fine).")
def test_does_not_call_builtin(student):
    """computes the fans and the bound by hand, not with torch.nn.init's Xavier functions"""
    shape = (30, 40)
    reply = student.run_reply(xavier_fill, shape, None, 0.0, watch=True)
    expect_no_builtin(reply, "xavier_uniform_")


# =============================================================================== grad_clipping
# The network of these checks: nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)).
GRAD_SHAPES = ((4, 5), (4,), (3, 4), (3,))
GRAD_NAMES = ("net[0].weight", "net[0].bias", "net[2].weight", "net[2].bias")


@scenario
def clip_module(grads, theta):
    """built net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)), set its parameters' gradients to grads and called grad_clipping(net, theta)"""
    net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    params = list(net.parameters())
    for p, g in zip(params, grads):
        p.grad = g.clone()
    student.grad_clipping(net, theta)
    return [None if p.grad is None else p.grad.detach().clone() for p in params]


@scenario
def clip_list(grads, theta):
    """made the book's from-scratch parameters, a list params of tensors with requires_grad=True and gradients grads, and called grad_clipping(params, theta)"""
    params = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    student.grad_clipping(params, theta)
    return [None if p.grad is None else p.grad.detach().clone() for p in params]


@scenario
def clip_generator(grads, theta):
    """built net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)), set its gradients to grads and called grad_clipping(net.parameters(), theta) with the generator"""
    net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    params = list(net.parameters())
    for p, g in zip(params, grads):
        p.grad = g.clone()
    student.grad_clipping(net.parameters(), theta)
    return [None if p.grad is None else p.grad.detach().clone() for p in params]


@scenario
def clip_partly_frozen(grads, theta):
    """built net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)), froze net[0] (requires_grad False, no gradient), set net[2]'s gradients to grads and called grad_clipping(net, theta)"""
    net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    net[0].requires_grad_(False)
    trainable = list(net[2].parameters())
    for p, g in zip(trainable, grads):
        p.grad = g.clone()
    student.grad_clipping(net, theta)
    return {"grads": [None if p.grad is None else p.grad.detach().clone() for p in trainable],
            "frozen": [None if p.grad is None else p.grad.detach().clone()
                       for p in net[0].parameters()]}


@scenario
def clip_module_identity(grads, theta):
    """built net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3)), set its gradients to grads, called grad_clipping(net, theta) and checked that each p.grad is still the same tensor"""
    net = nn.Sequential(nn.Linear(5, 4), nn.ReLU(), nn.Linear(4, 3))
    params = list(net.parameters())
    before = []
    for p, g in zip(params, grads):
        p.grad = g.clone()
        before.append(p.grad)
    student.grad_clipping(net, theta)
    return [p.grad is b for p, b in zip(params, before)]


def _global_norm(grads) -> float:
    return math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))


def _oracle(grads, theta):
    """torch.nn.utils.clip_grad_norm_ (in the judge) on tensors holding the same gradients."""
    params = [torch.zeros(g.shape, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_norm_(params, theta)
    return [p.grad for p in params]


# The clipping formula: the hint of the module check, and the hint of any check whose own hint
# (a list, a generator, a frozen layer) does not fit a wrong clipping of the values.
CLIP_HINT = N_("norm = sqrt(sum over all parameters of (p.grad ** 2).sum()), one number for the "
               "whole model; if norm > theta, multiply every p.grad by theta / norm.")


def _per_parameter(grads, theta):
    """A common mistake, for recognising it: each gradient clipped by its own norm."""
    out = []
    for g in grads:
        own = float(g.double().norm())
        out.append(g * (theta / own) if own > theta else g.clone())
    return out


def _same(got, wanted) -> bool:
    return all(isinstance(g, torch.Tensor) and g.shape == w.shape
               and torch.allclose(g.double(), w.double(), rtol=1e-4, atol=1e-6)
               for g, w in zip(got, wanted))


def _readings(got, grads, theta) -> set[str]:
    """What the wrong gradients ``got`` are, computed in the judge from the same inputs:
    "unchanged" (nothing clipped), "per_parameter" (each by its own norm), "by_value" (each
    element clamped to [-theta, theta]).  Several at once where they coincide on this input."""
    found = set()
    if _same(got, grads):
        found.add("unchanged")
    if _same(got, _per_parameter(grads, theta)):
        found.add("per_parameter")
    if _same(got, [g.clamp(-theta, theta) for g in grads]):
        found.add("by_value")
    return found


def _fitting_hint(got, grads, theta, own_fits: str) -> str | None:
    """The hint for the wrong gradients observed; None where the check's own hint fits.

    ``own_fits``: "values" (the check's hint is about the clipping itself: it fits any wrong
    clipping not recognised), "unchanged" (the generator check: its hint explains gradients
    left unchanged, and nothing else), "never" (a list, a frozen layer: a wrong clipping of
    the values is a norm mistake, not one of the container)."""
    norm = _global_norm(grads)
    numbers = dict(norm=f"{norm:.6g}", theta=f"{theta:g}", factor=f"{theta / norm:.6g}")
    formula = _("clip with one norm over all the gradients together: norm = sqrt(sum over all "
                "parameters of (p.grad ** 2).sum()) = {norm} here; if norm > theta, multiply "
                "every p.grad by the same theta / norm = {factor}.", **numbers)
    readings = _readings(got, grads, theta)
    own = ", ".join(f"{float(g.double().norm()):.4g}" for g in grads)
    if "unchanged" in readings:       # what was seen: nothing clipped (whatever the cause)
        if readings == {"unchanged"} and own_fits == "unchanged":
            return None
        if "per_parameter" in readings:
            return _("no gradient changed: each parameter's own norm ({own}) is at most theta "
                     "= {theta}, but the norm of all the gradients together, {norm}, is "
                     "larger; {formula}", own=own, formula=formula, **numbers)
        return _("no gradient changed, although the norm of all the gradients together, "
                 "{norm}, is larger than theta = {theta}; {formula}", formula=formula,
                 **numbers)
    if readings == {"per_parameter"}:
        return _("each gradient was clipped by its own norm ({own}); {formula}", own=own,
                 formula=formula)
    if readings == {"by_value"}:
        return _("each element was clamped to [-theta, theta] (clipping by value, which "
                 "changes the gradient's direction); {formula}", formula=formula)
    if readings:                      # several mistakes give these values: the formula fits all
        return formula
    return None if own_fits == "values" else _(CLIP_HINT)


def _expect_clipped(got, grads, theta, names=GRAD_NAMES, own_fits: str = "values"):
    """``got`` must be the gradients ``grads`` clipped to global norm ``theta``; a wrong clipping
    gets the hint that fits what happened (see :func:`_fitting_hint`)."""
    if not isinstance(got, list) or len(got) != len(grads):
        raise Failure(_("the gradients could not be read"), actual=values.describe_type(got))
    norm = _global_norm(grads)
    if norm > theta:
        why = _("the global norm of all gradients is {norm} > theta = {theta}, so every "
                "gradient must be multiplied by theta / norm = {factor}", norm=f"{norm:.6g}",
                theta=f"{theta:g}", factor=f"{theta / norm:.6g}")
    else:
        why = _("the global norm of all gradients is {norm} <= theta = {theta}, so the "
                "gradients must not change", norm=f"{norm:.6g}", theta=f"{theta:g}")
    for name, g, expected in zip(names, got, _oracle(grads, theta)):
        if g is None:
            raise Failure(_("the gradient of {name} is None after grad_clipping", name=name),
                          expected=_("its clipped gradient"), actual="None")
        try:
            expect_close(g, expected, rtol=1e-4, atol=1e-6,
                         what=_("the gradient of {name}", name=name),
                         rationale=_("the gradient of {name} is wrong after clipping: {why}",
                                     name=name, why=why))
        except Failure as failure:
            if failure.kind == "value" and not failure.help:
                failure.help = _fitting_hint(got, grads, theta, own_fits)
            raise


@st.composite
def _grads_and_theta(draw, low: float, high: float):
    """Integer-valued gradients for GRAD_SHAPES and theta = factor * their global norm."""
    sizes = [math.prod(shape) for shape in GRAD_SHAPES]
    flat = torch.tensor(draw(st.lists(st.integers(-5, 5), min_size=sum(sizes),
                                      max_size=sum(sizes))), dtype=torch.float32)
    grads = [part.reshape(shape) for part, shape in zip(flat.split(sizes), GRAD_SHAPES)]
    norm = _global_norm(grads)
    assume(norm >= 1)
    theta = round(norm * draw(st.floats(low, high)), 4)
    return grads, theta


@check("grad_clipping", hint=CLIP_HINT)
@examples(10)
@given(data=_grads_and_theta(0.05, 0.9))
def test_clips_module_gradients(student, data):
    """clips the gradients of an nn.Module to global norm theta, like torch.nn.utils.clip_grad_norm_"""
    grads, theta = data
    _expect_clipped(student.run(clip_module, grads, theta), grads, theta)


@check("grad_clipping", hint="clip only when the norm is larger than theta: below it, leave "
                             "the gradients as they are (never scale them up).")
@examples(10)
@given(data=_grads_and_theta(1.1, 10.0))
def test_no_change_below_theta(student, data):
    """leaves the gradients unchanged when their global norm is below theta"""
    grads, theta = data
    _expect_clipped(student.run(clip_module, grads, theta), grads, theta)


@check("grad_clipping", hint="for anything that is not an nn.Module, net is the parameters "
                             "themselves: params = list(net) (the book's net.params only exists "
                             "on its own RNN class).")
@examples(10)
@given(data=_grads_and_theta(0.05, 0.9))
def test_clips_a_list_of_parameters(student, data):
    """clips a list of parameter tensors (like the book's from-scratch RNN parameters)"""
    grads, theta = data
    names = tuple(f"params[{i}]" for i in range(len(grads)))
    _expect_clipped(student.run(clip_list, grads, theta), grads, theta, names, own_fits="never")


@check("grad_clipping", hint="a generator such as net.parameters() is empty after one pass: "
                             "the loop that computes the norm uses it up and the scaling loop "
                             "then sees nothing.  Make a list first: params = list(net).")
@examples(10)
@given(data=_grads_and_theta(0.05, 0.9))
def test_clips_a_generator_of_parameters(student, data):
    """clips when given a generator of parameters such as net.parameters() (it can be iterated only once)"""
    grads, theta = data
    _expect_clipped(student.run(clip_generator, grads, theta), grads, theta,
                    own_fits="unchanged")


@check("grad_clipping", hint="one norm for all parameters together, not one per parameter: "
                             "here every parameter's own norm is below theta but the global "
                             "norm is above it.")
def test_uses_the_global_norm(student):
    """uses one global norm over all gradients: clips even when each parameter's own norm is below theta"""
    grads = [torch.full((4, 5), 0.1), torch.full((4,), 0.5), torch.full((3, 4), 0.2),
             torch.tensor([0.6, 0.0, 0.8])]          # own norms 0.447, 1, 0.693, 1; global 1.637
    theta = 1.2
    _expect_clipped(student.run(clip_module, grads, theta), grads, theta)


@check("grad_clipping", hint="for an nn.Module use only the parameters that require grad "
                             "([p for p in net.parameters() if p.requires_grad], as the book "
                             "does): a frozen parameter has no gradient (p.grad is None).")
def test_skips_frozen_parameters(student):
    """for a module, clips only the parameters that require grad (a frozen layer has no gradient)"""
    grads = [torch.tensor([[3.0, 0.0, -1.0, 2.0]] * 3), torch.tensor([1.0, -2.0, 2.0])]
    theta = 2.5
    found = student.run(clip_partly_frozen, grads, theta)
    if not isinstance(found, dict):
        raise Failure(_("the gradients could not be read"), actual=values.describe_type(found))
    frozen = found.get("frozen")
    if not (isinstance(frozen, list) and len(frozen) == 2 and all(g is None for g in frozen)):
        raise Failure(_("grad_clipping gave the frozen layer net[0] a gradient"),
                      expected=_("net[0].weight.grad and net[0].bias.grad still None"),
                      actual=_("a gradient tensor"))
    _expect_clipped(found.get("grads"), grads, theta, ("net[2].weight", "net[2].bias"),
                    own_fits="never")


@check("grad_clipping", hint="compute the norm and scale the gradients yourself; "
                             "torch.nn.utils.clip_grad_norm_ does the whole exercise for you.")
def test_clipping_does_not_call_builtin(student):
    """is implemented by hand, not with torch.nn.utils.clip_grad_norm_"""
    grads = [torch.full((4, 5), 1.0), torch.ones(4), torch.full((3, 4), -1.0), torch.ones(3)]
    theta = 2.0
    reply = student.run_reply(clip_module, grads, theta, watch=True)
    expect_no_builtin(reply, "grad_clipping")


@check("grad_clipping", hint="the docstring says every gradient is multiplied in place: "
                             "p.grad.mul_(theta / norm) or p.grad[:] *= theta / norm.")
def test_scales_in_place(student):
    """scales each p.grad in place (p.grad.mul_(...) or p.grad[:] *= ...) rather than replacing it"""
    grads = [torch.full((4, 5), 1.0), torch.ones(4), torch.full((3, 4), -1.0), torch.ones(3)]
    same = student.run(clip_module_identity, grads, 2.0)
    if not (isinstance(same, list) and len(same) == len(grads)
            and all(isinstance(s, bool) for s in same)):
        raise Failure(_("the gradients could not be read"), actual=values.describe_type(same))
    if not all(same):
        raise Failure(_("grad_clipping replaces p.grad with a new tensor (p.grad = p.grad * c), "
                        "but the docstring asks to multiply every gradient in place "
                        "(p.grad.mul_(c) or p.grad[:] *= c), which keeps any reference to the "
                        "gradient valid"))
