"""Checks for solutions/lenet.py, and the network-checking helpers grader/checks/modern_cnns.py
imports from here.

How networks are checked, whatever their form (nn.Sequential, a Module subclass with its own
forward, nn.Flatten or a custom Flatten, any registration order):

* ``run_network`` (a scenario, run in the worker) builds the student's network and records,
  with a TorchFunctionMode, every convolution, pooling, fully connected layer, activation,
  dropout and concatenation that the forward pass calls, in call order, with its output
  shape.  Functional calls (F.relu, torch.sigmoid, x.flatten) are seen as well as modules.
  Modes "params", "shapes" and "dropout" build the network on the meta device (no memory, no
  initialisation: AlexNet costs nothing) and run a zero input through it with conv2d and
  linear replaced by their output shapes (zeros), so no arithmetic is spent on weights and
  no kernel runs on the meta device (the first one in a process imports sympy: ~1 s).
  Mode "values" fills the weights by shape, never by name (``fill_by_shape``; among equal
  shapes in the order the forward pass first uses them, so registration order does not
  matter; tensors over 2**20 numbers get a cheaper periodic pattern) and also returns the
  output of every conv/pool/linear/cat "stage".
* The judge compares the stages' shapes with the expected list and reports the first stage
  that differs; for values it runs the same scenario on the reference (in the judge) and
  reports the first stage whose values differ, with the activation or layer settings that
  differ there.
* What enters a layer (e.g. "a sigmoid's output, in [0, 1]") is never taken from the worker:
  ``verified_layer_inputs`` replays every stage in the judge from its own input and weights
  (the layer's recorded settings, the previous stage's output or an earlier one for parallel
  paths, one activation between; a concatenation as earlier outputs side by side), so a trace
  passes only if its values really follow from each other.
"""
from __future__ import annotations

import math
from itertools import zip_longest

import torch
import torch.nn.functional as F

from grader.judge.api import (_, N_, Failure, as_float64, check, expect_tensor, fill_by_shape,
    mismatch_details, scenario, scenario_namespace, scenario_source, template_text, values)


# ============================================================================ the scenario
@scenario
def run_network(build, args, input_shape, seed, mode):
    """built the network and traced an input through it (mode 'values': weights filled by shape, eval mode; other modes: shapes only)"""
    kinds = {"conv1d": "conv", "conv2d": "conv", "conv3d": "conv", "convolution": "conv",
             "avg_pool1d": "pool", "avg_pool2d": "pool", "max_pool1d": "pool",
             "max_pool2d": "pool", "max_pool2d_with_indices": "pool", "lp_pool2d": "pool",
             "adaptive_avg_pool2d": "pool", "adaptive_max_pool2d": "pool", "linear": "linear",
             "dropout": "dropout", "dropout_": "dropout", "feature_dropout": "dropout",
             "dropout1d": "dropout", "dropout2d": "dropout", "alpha_dropout": "dropout",
             "cat": "cat", "concat": "cat", "concatenate": "cat", "stack": "cat"}
    activations = {"sigmoid", "sigmoid_", "relu", "relu_", "tanh", "tanh_", "leaky_relu",
                   "leaky_relu_", "elu", "elu_", "gelu", "silu", "hardtanh", "hardtanh_",
                   "relu6", "softplus", "softmax", "log_softmax", "selu", "mish", "hardswish"}
    values = mode == "values"

    def option(call_args, call_kwargs, index, name, default):
        return call_args[index] if len(call_args) > index else call_kwargs.get(name, default)

    def size(v, square=False):
        v = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
        return "x".join(str(n) for n in v) if square or len(set(v)) > 1 else str(v[0])

    def describe(name, kind, call_args, call_kwargs):
        # (template, fields): the judge shows the layer in the student's language
        try:
            if kind == "conv":
                w = option(call_args, call_kwargs, 1, "weight", None)
                stride = option(call_args, call_kwargs, 3, "stride", 1)
                padding = option(call_args, call_kwargs, 4, "padding", 0)
                return (N_("{name} {kernel} kernel, stride {stride}, padding {padding}, "
                           "{inputs} -> {outputs} channels"),
                        {"name": name, "kernel": size(tuple(w.shape[2:]), True),
                         "stride": size(stride),
                         "padding": padding if isinstance(padding, str) else size(padding),
                         "inputs": w.shape[1], "outputs": w.shape[0]})
            if kind == "pool" and name.startswith("adaptive"):
                return (N_("{name} to {size}"),
                        {"name": name, "size": option(call_args, call_kwargs, 1, "output_size", "?")})
            if kind == "pool":
                window = option(call_args, call_kwargs, 1, "kernel_size", 1)
                stride = option(call_args, call_kwargs, 2, "stride", None)
                padding = option(call_args, call_kwargs, 3, "padding", 0)
                stride = window if stride is None or stride == [] or stride == () else stride
                return (N_("{name} {window} window, stride {stride}, padding {padding}"),
                        {"name": name, "window": size(window, True), "stride": size(stride),
                         "padding": size(padding)})
            if kind == "linear":
                w = option(call_args, call_kwargs, 1, "weight", None)
                return N_("linear {inputs} -> {outputs}"), {"inputs": w.shape[1],
                                                            "outputs": w.shape[0]}
            if kind == "dropout":
                p = float(option(call_args, call_kwargs, 1, 'p', 0.5))
                return "dropout p={p}", {"p": f"{p:g}"}
            if kind == "cat":
                return (N_("{name} on dim {dim}"),
                        {"name": name, "dim": option(call_args, call_kwargs, 1, "dim", 0)})
        except Exception:  # noqa: BLE001 - a description is only a courtesy
            pass
        return "{name}", {"name": name}

    def plain(v):
        return list(v) if isinstance(v, (tuple, list, torch.Size)) else v

    def settings(kind, call_args, call_kwargs):
        # what the judge needs to replay this layer on its own (values mode; see
        # verified_layer_inputs): shapes and hyper-parameters, never the weights' values
        try:
            if kind in ("conv", "linear"):
                w = option(call_args, call_kwargs, 1, "weight", None)
                found = {"weight": list(w.shape),
                         "bias": option(call_args, call_kwargs, 2, "bias", None) is not None}
                if kind == "conv":
                    for index, key, default in ((3, "stride", 1), (4, "padding", 0),
                                                (5, "dilation", 1), (6, "groups", 1)):
                        found[key] = plain(option(call_args, call_kwargs, index, key, default))
                return found
            if kind == "pool":
                return {key: plain(option(call_args, call_kwargs, index, key, default))
                        for index, key, default in ((1, "kernel_size", None), (2, "stride", None),
                                                    (3, "padding", 0))}
        except Exception:  # noqa: BLE001 - then the judge cannot replay this layer
            pass
        return {}

    def shape_only(name, call_args, call_kwargs):
        # The output of conv2d / linear, shape only (zeros), computed without the weights'
        # values: the weights may stay on the meta device, and no arithmetic is spent on them.
        x = call_args[0]
        w = option(call_args, call_kwargs, 1, "weight", None)
        if name == "linear":
            if x.dim() == 0 or x.shape[-1] != w.shape[1]:
                rows = x.numel() // x.shape[-1] if x.dim() and x.shape[-1] else 0
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied "
                                   f"({rows}x{x.shape[-1] if x.dim() else 0} and "
                                   f"{w.shape[1]}x{w.shape[0]})")
            return torch.zeros(*x.shape[:-1], w.shape[0])
        groups = option(call_args, call_kwargs, 6, "groups", 1)
        if x.dim() not in (3, 4) or x.shape[-3] != w.shape[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected "
                               f"input{list(x.shape)} to have {w.shape[1] * groups} channels, "
                               f"but got {x.shape[-3] if x.dim() >= 3 else '?'} channels instead")
        probe = F.conv2d(torch.zeros(*x.shape[:-3], 1, *x.shape[-2:]),
                         torch.zeros(1, 1, *w.shape[2:]), None,
                         option(call_args, call_kwargs, 3, "stride", 1),
                         option(call_args, call_kwargs, 4, "padding", 0),
                         option(call_args, call_kwargs, 5, "dilation", 1))
        return torch.zeros(*x.shape[:-3], w.shape[0], *probe.shape[-2:])

    class Recorder(torch.overrides.TorchFunctionMode):
        def __init__(self, abstract):
            super().__init__()
            self.abstract = abstract
            self.trace, self.tensors = [], []
            self.used = {}             # id of a parameter -> when the forward first used it

        def __torch_function__(self, func, types, call_args=(), call_kwargs=None):
            call_kwargs = call_kwargs or {}
            name = getattr(func, "__name__", "")
            for arg in (*call_args, *call_kwargs.values()):
                if isinstance(arg, nn.Parameter) and id(arg) not in self.used:
                    self.used[id(arg)] = len(self.used)
            if self.abstract and name in ("conv2d", "linear") and call_args \
                    and isinstance(call_args[0], torch.Tensor):
                out = shape_only(name, call_args, call_kwargs)
            else:
                out = func(*call_args, **call_kwargs)
            kind = kinds.get(name) or ("act" if name in activations else None)
            if kind is not None:
                first = out[0] if isinstance(out, (tuple, list)) and out else out
                template, fields = describe(name, kind, call_args, call_kwargs)
                fields = {key: str(value) for key, value in fields.items()}
                entry = {"kind": kind, "op": name.rstrip("_") or name,
                         "desc": template.format(**fields), "desc_t": template,
                         "desc_v": fields,
                         "shape": list(first.shape) if isinstance(first, torch.Tensor) else None}
                if kind == "dropout":
                    p = option(call_args, call_kwargs, 1, "p", 0.5)
                    training = option(call_args, call_kwargs, 2, "training",
                                      option(call_args, call_kwargs, 2, "train", True))
                    entry["p"] = float(p) if isinstance(p, (int, float)) else None
                    entry["training"] = bool(training)
                if values and kind in ("conv", "pool", "linear", "cat") \
                        and isinstance(first, torch.Tensor):
                    entry["settings"] = settings(kind, call_args, call_kwargs)
                    self.tensors.append(first.detach().float().clone())
                self.trace.append(entry)
            return out

    factory = getattr(student, build)

    def make(device):
        with torch.device(device):
            net = factory(*args)
        if not isinstance(net, nn.Module):
            raise Mismatch("{build}(...) returned {kind}, not a network: return an nn.Module "
                           "(for example an nn.Sequential)", build=build, kind=type(net).__name__)
        if any(isinstance(p, nn.parameter.UninitializedParameter) for p in net.parameters()):
            # lazy modules (nn.LazyConv2d, nn.LazyLinear, as in the book's latest edition): a
            # shape-only pass gives their parameters a shape
            error = run(net, torch.zeros(input_shape), True)[1]
            if any(isinstance(p, nn.parameter.UninitializedParameter) for p in net.parameters()):
                raise Mismatch("the lazy layers of {build}(...) could not be initialised with "
                               "an input of shape {shape}: {error}", build=build,
                               shape=str(tuple(input_shape)), error=str(error))
        return net

    def make_meta():
        # on the meta device: no memory and no initialisation, even for AlexNet
        try:
            return make("meta")
        except (NotImplementedError, Mismatch):
            raise
        except Exception:  # noqa: BLE001 - a constructor that needs real tensors
            return make("cpu")

    def materialize(net):
        # meta parameters -> uninitialised CPU ones, without running any kernel on the meta
        # device (the first such kernel in a process imports sympy & co.: a second or more)
        if not all(p.is_meta for p in net.parameters()) or list(net.buffers()):
            return make("cpu"), False
        memo = {}
        for module in net.modules():
            for key, p in list(module._parameters.items()):
                if p is not None:
                    if id(p) not in memo:
                        memo[id(p)] = nn.Parameter(torch.empty(tuple(p.shape), dtype=p.dtype),
                                                   requires_grad=p.requires_grad)
                    module._parameters[key] = memo[id(p)]
        return net, True

    def run(net, X, abstract):
        recorder, error, out = Recorder(abstract), None, None
        try:
            with torch.no_grad(), recorder:
                out = net(X)
        except NotImplementedError:
            raise
        except Exception as exc:  # noqa: BLE001 - reported with the stage where it happened
            error = f"{type(exc).__name__}: {exc}"[:600]
        return recorder, error, out

    if mode in ("params", "shapes", "dropout"):
        net = make_meta()
        result = {"params": [list(s) for s in sorted(tuple(p.shape) for p in net.parameters())],
                  "count": sum(p.numel() for p in net.parameters())}
        if mode == "params":
            return result
        X = torch.zeros(input_shape)
        for phase in (("train", "eval") if mode == "dropout" else ("eval",)):
            net.train(phase == "train")
            recorder, error, out = run(net, X, True)
            if error is not None and any(p.is_meta for p in net.parameters()):
                # the forward uses the weights some other way: give them real (uninitialised)
                # values and try again
                net = materialize(net)[0]
                net.train(phase == "train")
                recorder, error, out = run(net, X, True)
            result[phase] = {"trace": recorder.trace, "error": error,
                             "output": list(out.shape) if isinstance(out, torch.Tensor) else None,
                             "returned": type(out).__name__}
        return result

    def fill(net, used):
        # Values by shape, never by name: among parameters of equal shape (e.g. AlexNet's two
        # (4096,) biases), in the order the forward pass first uses them (found by a
        # shape-only pass), so registration order does not matter either.  fill_by_shape for
        # tensors of up to 2**20 numbers; the big ones (AlexNet's and VGG's linear layers:
        # 43M numbers, a second of randn) repeat 8191 normal numbers (a prime: each row of a
        # weight is a different cyclic shift) drawn from the shape, the rank and the seed.
        params = list(net.parameters())
        params = [params[i] for i in sorted(range(len(params)), key=lambda i: (
            used.get(id(params[i]), len(params) + i)))]
        fill_by_shape([p for p in params if p.numel() <= 1 << 20], seed)
        big = [p for p in params if p.numel() > 1 << 20]
        seen = {}
        with torch.no_grad():
            for index in sorted(range(len(big)), key=lambda i: (tuple(big[i].shape), i)):
                param, shape = big[index], tuple(big[index].shape)
                nth = seen[shape] = seen.get(shape, -1) + 1
                key = (seed * 1000003 + nth * 7919 +
                       sum((k + 1) * 31 ** k * n for k, n in enumerate(shape))) % 2 ** 31
                base = torch.randn(8191, generator=torch.Generator().manual_seed(key))
                base = (base / math.sqrt(math.prod(shape[1:]) if len(shape) > 1 else 1)).to(param.dtype)
                flat, rows = param.view(-1), param.numel() // 8191
                flat[:rows * 8191].view(rows, 8191).copy_(base.expand(rows, 8191))
                flat[rows * 8191:].copy_(base[:param.numel() - rows * 8191])

    X = torch.randn(input_shape, generator=torch.Generator().manual_seed(seed))
    net = make_meta()
    count = sum(p.numel() for p in net.parameters())
    if count > 200_000_000:
        raise Mismatch("{build}(...) has {count} parameters, far too many: fix the layer "
                       "sizes first (see the parameter and shape checks)", build=build,
                       count=f"{count:,}")
    net, fresh = materialize(net)
    while True:
        net.eval()
        # shape-only first: cheap, finds shape errors before any arithmetic, and tells in
        # which order the forward pass uses the parameters
        recorder, error, out = run(net, X, True)
        if error is None:
            fill(net, recorder.used)
            recorder, error, out = run(net, X, False)
        if error is None or not fresh:
            break
        net, fresh = make("cpu"), False         # e.g. a tensor attribute left on the meta device
    return {"output": out, "trace": recorder.trace, "stages": recorder.tensors, "error": error}


# ============================================================================ judge side
STAGE_KINDS = ("conv", "pool", "linear")
KIND_NAMES = {"conv": N_("a convolution"), "pool": N_("a pooling layer"),
              "linear": N_("a fully connected layer"), "cat": N_("a concatenation")}
_REFERENCE_RUNS: dict = {}


def on_reference(reference, build, args=(), input_shape=(), seed=0, mode="values"):
    """The same scenario run on the reference solution, in the judge (cached: deterministic)."""
    key = (getattr(reference, "__file__", None), build, repr(args), tuple(input_shape), seed, mode)
    if key not in _REFERENCE_RUNS:
        source, name, __ = scenario_source(run_network)
        namespace = scenario_namespace(reference)
        exec(compile(source, f"<scenario {name}>", "exec"), namespace)
        if len(_REFERENCE_RUNS) > 200:
            _REFERENCE_RUNS.clear()
        threads = torch.get_num_threads()
        torch.set_num_threads(1)        # as in the worker: the same arithmetic, the same digits
        try:
            _REFERENCE_RUNS[key] = namespace[name](build, tuple(args), tuple(input_shape), seed,
                                                   mode)
        finally:
            torch.set_num_threads(threads)
    return _REFERENCE_RUNS[key]


def call_text(build, args) -> str:
    return f"{build}({', '.join(repr(a) for a in args)})"


def shape_text(shape) -> str:
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def _bad_result(what=None):
    return Failure(_("{what} could not be traced: the scenario returned an unexpected value "
                     "(is torch monkeypatched?)", what=what or _("the network")))


def _trace(value) -> list[dict]:
    if not isinstance(value, list) or not all(isinstance(e, dict) and isinstance(e.get("kind"), str)
                                              and isinstance(e.get("desc"), str) for e in value):
        raise _bad_result()
    for entry in value:
        shape = entry.get("shape")
        if shape is not None and not (isinstance(shape, list) and all(isinstance(n, int) for n in shape)):
            raise _bad_result()
    return value


def traced(student, build, args, input_shape, mode="shapes") -> dict:
    """Run ``run_network`` in mode 'params', 'shapes' (an eval-mode trace) or 'dropout' (a
    train-mode and an eval-mode trace) and validate what came back."""
    result = student.run(run_network, build, tuple(args), tuple(input_shape), 0, mode)
    if not isinstance(result, dict) or not isinstance(result.get("params"), list) \
            or not isinstance(result.get("count"), int):
        raise _bad_result()
    if not all(isinstance(s, list) and all(isinstance(n, int) for n in s) for s in result["params"]):
        raise _bad_result()
    phases = {"params": (), "shapes": ("eval",), "dropout": ("train", "eval")}[mode]
    for phase in phases:
        if not isinstance(result.get(phase), dict):
            raise _bad_result()
        _trace(result[phase].get("trace"))
    return result


def run_values(student, build, args, input_shape, seed) -> dict:
    """Run ``run_network`` in mode 'values' and validate what came back."""
    result = student.run(run_network, build, tuple(args), tuple(input_shape), seed, "values")
    if not isinstance(result, dict):
        raise _bad_result()
    trace = _trace(result.get("trace"))
    if result.get("error"):
        raise Failure(_("{call} raised an error on a batch of shape {shape}",
                        call=call_text(build, args), shape=shape_text(input_shape)),
                      expected=_("an output tensor"), actual=str(result["error"]),
                      details=_last_stage(stages_of(trace)))
    expect_tensor(result.get("output"), _("the network's output"))
    stages = result.get("stages")
    if not isinstance(stages, list) or not all(isinstance(t, torch.Tensor) for t in stages):
        raise _bad_result()
    return result


def stages_of(trace: list[dict], kinds=STAGE_KINDS) -> list[dict]:
    return [e for e in trace if e["kind"] in kinds]


def expect_parameters(result: dict, expected_shapes, name: str) -> None:
    """The sorted parameter shapes and the parameter count must match."""
    want = sorted(tuple(s) for s in expected_shapes)
    have = sorted(tuple(s) for s in result["params"])
    count = sum(_numel(s) for s in want)
    if want != have:
        from collections import Counter
        missing = sorted((Counter(want) - Counter(have)).elements())
        extra = sorted((Counter(have) - Counter(want)).elements())
        parts = []
        if missing:
            parts.append(_("missing parameter shapes {shapes}",
                           shapes=", ".join(shape_text(s) for s in missing)))
        if extra:
            parts.append(_("unexpected parameter shapes {shapes}",
                           shapes=", ".join(shape_text(s) for s in extra)))
        raise Failure(_("{name} does not have the expected parameters", name=name),
                      expected=_("{tensors} parameter tensors, {numbers} numbers",
                                 tensors=len(want), numbers=f"{count:,}"),
                      actual=_("{tensors} parameter tensors, {numbers} numbers",
                               tensors=len(have), numbers=f"{result['count']:,}"),
                      details=_("{problems} (a convolution's weight is (out_channels, "
                                "in_channels, kh, kw), a linear layer's (out_features, "
                                "in_features))", problems="; ".join(parts)))
    if result["count"] != count:
        raise _bad_result(name)


def _numel(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def layer_text(entry: dict) -> str:
    """A traced layer in words, in the student's language (the worker sent a template)."""
    return template_text(entry.get("desc_t"), entry.get("desc_v"), entry["desc"])


def _stage_text(entry: dict) -> str:
    shape = entry.get("shape")
    return _("{layer}, output shape {shape}", layer=layer_text(entry),
             shape=shape_text(shape) if shape is not None else "?")


def _kind(kind: str) -> str:
    return _(KIND_NAMES[kind])


def _expected_stage(want) -> str:
    return _("{kind}, output shape {shape}", kind=_kind(want[0]), shape=shape_text(want[1]))


def expect_stages(phase: dict, expected: list[tuple], name: str, output_shape=None) -> None:
    """Compare the conv/pool/linear stages (kind, output shape) with ``expected``; report the
    first stage that differs, with both shapes.  Falls back to the output shape alone when the
    network calls no recognisable layer at all."""
    trace = phase["trace"]
    got = stages_of(trace)
    error = phase.get("error")
    if not got and not error:                 # nothing recognisable: only the output can be judged
        if output_shape is not None and phase.get("output") != list(output_shape):
            raise Failure(_("{name} gives an output of the wrong shape", name=name),
                          expected=_("shape {shape}", shape=shape_text(output_shape)),
                          actual=_output_text(phase))
        return
    for index, (want, have) in enumerate(zip_longest(expected, got)):
        number = index + 1
        before = (_("stages 1-{last} match", last=index) if index > 1 else
                  _("stage 1 matches") if index == 1 else None)
        if have is None:
            if error:
                after = (_("after 1 matching stage") if index == 1 else
                         _("after {count} matching stages", count=index))
                raise Failure(_("{name} raised an error at stage {number} ({after}), where "
                                "{kind} should give shape {shape}", name=name, number=number,
                                after=after, kind=_kind(want[0]), shape=shape_text(want[1])),
                              expected=_expected_stage(want),
                              actual=str(error), details=_last_stage(got))
            raise Failure(_("{name} stops too early: stage {number} is missing", name=name,
                            number=number),
                          expected=_expected_stage(want),
                          actual=_("no further layer; the network returned {output}",
                                   output=_output_text(phase)),
                          details=before)
        if want is None:
            raise Failure(_("{name} has an extra layer at stage {number}", name=name,
                            number=number),
                          expected=_("no stage {number}: the output comes after stage {last}",
                                     number=number, last=index),
                          actual=_stage_text(have), details=before)
        if have["kind"] != want[0] or tuple(have["shape"] or ()) != tuple(want[1]):
            raise Failure(_("{name}: stage {number} ({kind}) has the wrong output shape",
                            name=name, number=number, kind=_kind(want[0]))
                          if have["kind"] == want[0] else
                          _("{name}: stage {number} should be {kind}", name=name, number=number,
                            kind=_kind(want[0])),
                          expected=_expected_stage(want),
                          actual=_stage_text(have), details=before)
    if error:
        raise Failure(_("{name} raised an error after its last layer", name=name),
                      expected=_("an output tensor"), actual=str(error))
    if output_shape is not None and phase.get("output") != list(output_shape):
        raise Failure(_("{name} gives an output of the wrong shape", name=name),
                      expected=_("shape {shape}", shape=shape_text(output_shape)),
                      actual=_output_text(phase))


def _last_stage(got: list[dict]) -> str:
    return _("the last stage that ran: {stage}", stage=_stage_text(got[-1])) if got else \
        _("no layer ran")


def _output_text(phase: dict) -> str:
    out = phase.get("output")
    if isinstance(out, list):
        return _("shape {shape}", shape=shape_text(out))
    return _("a {kind}, not a tensor", kind=phase.get("returned", "value"))


def _between(trace: list[dict], stage: int) -> list[str]:
    """Activations (and active dropouts) applied after stage ``stage - 1``, before ``stage``."""
    seen, names = 0, []
    for entry in trace:
        if entry["kind"] in STAGE_KINDS + ("cat",):
            seen += 1
            if seen == stage:
                return names
            names = []
        elif entry["kind"] == "act" or (entry["kind"] == "dropout" and entry.get("training")):
            names.append(entry.get("op") or layer_text(entry))
    return names


def _tolerance(reference: torch.Tensor) -> float:
    scale = float(reference.abs().max()) if reference.numel() else 1.0
    return 1e-4 * max(1.0, scale)


def diagnose(got: dict, ref: dict) -> str | None:
    """Where two value traces first differ, in words; None when they cannot be aligned."""
    have = stages_of(got["trace"], STAGE_KINDS + ("cat",))
    want = stages_of(ref["trace"], STAGE_KINDS + ("cat",))
    if len(have) != len(got["stages"]) or len(want) != len(ref["stages"]):
        return None
    if [(e["kind"], e["shape"]) for e in have] != [(e["kind"], e["shape"]) for e in want]:
        return None
    for index, (mine, theirs) in enumerate(zip(got["stages"], ref["stages"])):
        if mine.shape == theirs.shape and torch.allclose(*as_float64(mine, theirs), rtol=1e-4,
                                                          atol=_tolerance(theirs)):
            continue
        number = index + 1
        where = _("the first stage whose values differ is stage {number} ({stage})",
                  number=number, stage=_stage_text(have[index]))
        acts_mine, acts_ref = _between(got["trace"], number), _between(ref["trace"], number)
        if acts_mine != acts_ref:
            return _("{where}: before it the expected network applies {theirs}, yours applies "
                     "{yours}", where=where, theirs=", ".join(acts_ref) or _("nothing"),
                     yours=", ".join(acts_mine) or _("nothing"))
        if have[index]["desc"] != want[index]["desc"]:
            return _("{where}: expected {theirs}, yours is {yours}", where=where,
                     theirs=layer_text(want[index]), yours=layer_text(have[index]))
        return _("{where}, although this layer and the activations before it look right: "
                 "check which inputs and weights it uses (the order of layers, the "
                 "concatenation)", where=where)
    return None


def expect_same_forward(got: dict, ref: dict, name: str, extra=None) -> None:
    """The student's output must equal the reference's (same weights, same input)."""
    expected = ref["output"]
    output = got["output"]
    if tuple(output.shape) != tuple(expected.shape):
        raise Failure(_("{name} gives an output of the wrong shape", name=name),
                      expected=_("shape {shape}", shape=shape_text(expected.shape)),
                      actual=_("shape {shape}", shape=shape_text(output.shape)))
    tol = _tolerance(expected)
    if torch.allclose(output.double(), expected.double(), rtol=1e-4, atol=tol):
        return
    details = [mismatch_details(output.double(), expected.double(), 1e-4, tol)]
    where = diagnose(got, ref)
    if where:
        details.insert(0, where)
    if extra:
        more = extra(got, ref)
        if more:
            details.insert(0, more)
    raise Failure(_("{name} computes something different from the expected network with the "
                    "same weights", name=name), expected=values.format_value(expected),
                  actual=values.format_value(output), details="; ".join(details))


# ============================================================================ LeNet
LENET_INPUT = (2, 1, 28, 28)
LENET_PARAMS = [(6, 1, 5, 5), (6,), (16, 6, 5, 5), (16,), (120, 400), (120,), (84, 120), (84,),
                (10, 84), (10,)]
# the stage shapes for one image; the batch dimension comes first
LENET_STAGES = [("conv", (6, 28, 28)), ("pool", (6, 14, 14)), ("conv", (16, 10, 10)),
                ("pool", (16, 5, 5)), ("linear", (120,)), ("linear", (84,)), ("linear", (10,))]


@check("lenet", hint="conv 6@5x5 (1 input channel), conv 16@5x5 (6 input channels), then "
                     "fully connected 16*5*5=400 -> 120 -> 84 -> 10, every layer with a bias.")
def test_parameter_shapes(student):
    """has the lesson's parameters: 10 tensors, 61,706 numbers"""
    expect_parameters(traced(student, "lenet", (), LENET_INPUT, "params"), LENET_PARAMS, "lenet()")


@check("lenet", hint="follow the shapes in the docstring: padding=2 keeps 28 x 28 in the first "
                     "convolution, each 2 x 2 average pooling with stride 2 halves the size, "
                     "and the flattened 16 x 5 x 5 maps give 400 features.")
def test_stage_shapes(student):
    """each convolution, pooling and fully connected layer gives the lesson's output shape on batches of two and of one (b, 1, 28, 28)"""
    # The docstring takes (b, 1, 28, 28) for any b.  Shape traces run on the meta device (no
    # arithmetic), so the batch of one costs nothing; it catches what a batch of two hides: a
    # squeeze() that also drops the batch axis, a view(-1) that only works for one image.
    for b in (2, 1):
        result = traced(student, "lenet", (), (b, 1, 28, 28))
        expect_stages(result["eval"], [(kind, (b, *shape)) for kind, shape in LENET_STAGES],
                      "lenet()" if b > 1 else _("lenet() on a batch of one image"), (b, 10))


# The judge's own replay of a traced network (values mode): starting from its own input, each
# recorded stage must be that layer (with the judge's weights, given by shape as fill_by_shape
# gives them) applied to the previous stage's output, directly or after one activation.  What
# enters each layer is then known to the judge, not reported by the worker.
BETWEEN = (("nothing", lambda x: x), ("sigmoid", torch.sigmoid), ("relu", torch.relu),
            ("tanh", torch.tanh))
_POOLS = {"avg_pool2d": F.avg_pool2d, "max_pool2d": F.max_pool2d,
          "max_pool2d_with_indices": F.max_pool2d}


def _judge_weight(shape, seed, used: dict) -> torch.Tensor:
    """The value run_network's ``fill`` gives the next parameter of this shape to be used:
    fill_by_shape's, the n-th among equal shapes in order of first use."""
    shape = tuple(shape)
    if math.prod(shape) > 1 << 20:
        raise ValueError("big tensors get another filling; not replayed")
    nth = used[shape] = used.get(shape, -1) + 1
    tensors = [torch.empty(shape) for __ in range(nth + 1)]
    fill_by_shape(tensors, seed)
    return tensors[-1]


def _replay(entry: dict, x: torch.Tensor, seed: int, used: dict) -> torch.Tensor:
    settings = entry.get("settings") or {}
    if entry["kind"] in ("conv", "linear"):
        weight = _judge_weight(settings["weight"], seed, used)
        bias = _judge_weight(settings["weight"][:1], seed, used) if settings["bias"] else None
        if entry["kind"] == "linear":
            return F.linear(x.reshape(x.shape[0], -1) if x.dim() > 2 else x, weight, bias)
        return F.conv2d(x, weight, bias, settings["stride"], settings["padding"],
                        settings["dilation"], settings["groups"])
    if entry["kind"] == "pool" and entry.get("op") in _POOLS:
        stride = settings.get("stride")
        return _POOLS[entry["op"]](x, settings["kernel_size"],
                                   None if stride in (None, [], ()) else stride,
                                   settings.get("padding", 0))
    raise ValueError(f"cannot replay {entry.get('op')}")


def _matches(want: torch.Tensor, out: torch.Tensor) -> bool:
    return want.shape == out.shape and torch.allclose(want, out, rtol=1e-4, atol=_tolerance(want))


def _replay_cat(out: torch.Tensor, sources: list) -> bool:
    """Whether ``out`` is verified tensors (after one activation each) side by side on dim 1
    (a search with backtracking: small pieces can match by chance, e.g. zeros after a ReLU)."""
    if out.dim() < 2:
        return False
    dead: set[int] = set()

    def fits(offset: int) -> bool:
        if offset == out.shape[1]:
            return True
        if offset in dead:
            return False
        for source in sources:
            width = source.shape[1] if source.dim() == out.dim() else 0
            if not width or source.shape[0] != out.shape[0] \
                    or source.shape[2:] != out.shape[2:] or offset + width > out.shape[1]:
                continue
            piece = out[:, offset:offset + width]
            if any(_matches(between(source), piece) for __, between in BETWEEN) \
                    and fits(offset + width):
                return True
        dead.add(offset)
        return False
    try:
        return fits(0)
    except RecursionError:          # thousands of pieces: not a network of this lesson
        return False


def verified_layer_inputs(result: dict, X: torch.Tensor, seed: int, name: str) -> list:
    """[(stage entry, what entered it)] for every conv/pool/linear/cat stage (None for a cat),
    each one re-derived in the judge from ``X``: a layer applied to the previous stage's output
    (or, for parallel paths, to an earlier one), or a concatenation of earlier outputs; a
    Failure names the first stage that does not follow."""
    entries = stages_of(result["trace"], STAGE_KINDS + ("cat",))
    if len(entries) != len(result["stages"]):
        raise _bad_result(name)
    found, sources, used = [], [X], {}
    with torch.no_grad():
        for number, (entry, out) in enumerate(zip(entries, result["stages"]), 1):
            x = None
            if entry["kind"] == "cat":
                ok = _replay_cat(out, sources)
            else:
                ok = False
                for source in reversed(sources):            # the previous stage's output first
                    for __, between in BETWEEN:
                        x, trial = between(source), dict(used)
                        try:
                            ok = _matches(_replay(entry, x, seed, trial), out)
                        except Exception:  # noqa: BLE001 - settings came from the worker
                            ok = False
                        if ok:
                            used = trial
                            break
                    if ok:
                        break
            if not ok:
                raise Failure(_("{name}: stage {number} ({stage}) is not that layer applied to "
                                "what came before it (directly or after a sigmoid, ReLU or "
                                "tanh), so what enters each layer cannot be known", name=name,
                                number=number, stage=_stage_text(entry)),
                              expected=_("conv / pooling / linear layers with activations "
                                         "between them"),
                              actual=_("stage {number} does not follow", number=number))
            found.append((entry, x))
            sources.append(out)
    return found


@check("lenet", hint="LeNet applies a sigmoid after each convolution and after the first two "
                     "fully connected layers (nn.Sigmoid() or torch.sigmoid), not a ReLU.")
def test_sigmoid_activations(student):
    """uses sigmoid activations: what enters the second convolution and each fully connected layer lies between 0 and 1"""
    shape, seed = (3, 1, 28, 28), 1
    result = run_values(student, "lenet", (), shape, seed)
    X = torch.randn(shape, generator=torch.Generator().manual_seed(seed))   # as run_network's
    inputs = [(e, x) for e, x in verified_layer_inputs(result, X, seed, "lenet()")
              if e["kind"] in ("conv", "linear")]
    if len(inputs) < 5:
        raise Failure(_("lenet() does not call 2 convolutions and 3 fully connected layers "
                        "(nn.Conv2d / nn.Linear or F.conv2d / F.linear)"),
                      expected=_("5 such layers"), actual=f"{len(inputs)}")
    for number, (entry, x) in enumerate(inputs[1:], 2):
        low, high = float(x.min()), float(x.max())
        if low < 0 or high > 1:
            raise Failure(_("the input of layer {number} ({layer}) is not the output of a "
                            "sigmoid (with average pooling, it would stay between 0 and 1)",
                            number=number, layer=layer_text(entry)),
                          expected=_("values in {interval}", interval="[0, 1]"),
                          actual=_("values from {low} to {high}", low=f"{low:.4g}",
                                   high=f"{high:.4g}"),
                          details=_("activations since the previous layer: {names}", names=(
                              ", ".join(_activations_before(result["trace"], entry))
                              or _("none"))))


def _activations_before(trace: list[dict], target: dict) -> list[str]:
    """The activations applied between the conv/linear layer before ``target`` and ``target``."""
    names: list[str] = []
    for entry in trace:
        if entry is target:
            return names
        if entry["kind"] in ("conv", "linear"):
            names = []
        elif entry["kind"] == "act":
            names.append(entry.get("op") or layer_text(entry))
    return names


@check("lenet", hint="compare your layers with the docstring one by one: sigmoid (not ReLU) "
                     "activations, average (not max) pooling, padding 2 in the first "
                     "convolution only.")
def test_forward_matches_reference(student, reference):
    """with the same weights (given by shape), gives the lesson's LeNet output on 4 random images"""
    got = run_values(student, "lenet", (), (4, 1, 28, 28), 7)
    expect_same_forward(got, on_reference(reference, "lenet", (), (4, 1, 28, 28), 7), "lenet()")
