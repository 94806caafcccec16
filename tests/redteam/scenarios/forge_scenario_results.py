"""Replaces the worker's whole scenario machinery so that every scenario reports success.

Appended (by tests/test_redteam.py::test_forged_scenario_results_gain_nothing) to a submission
whose exercise is broken.  At import, inside the worker, it:

- replaces ``Worker.scenario`` (the worker's scenario op) in every loaded module that has it,
  so that the scenarios the grader sends are never run as written;
- replaces ``scenario_lib.Mismatch`` and ``scenario_lib.namespace``, so that no scenario can
  report a structural problem, and any scenario that does run swallows every error;
- answers each verdict-like scenario with what a passing run would have reported: a kernel
  of [[1, -1]] with falling losses, "no parameter lacks a gradient", a low training loss,
  differing training-mode and equal eval-mode outputs, "the constructor takes no dropout
  arguments", parameters "before" and "after" an sgd step that agree with each other, attention
  weights that sum to one with a matching dropped-out output, a LeNet trace whose every layer
  receives values in [0, 1], a network output with no negative value.

It never computes an exercise's answer (that would be a solution, not a forgery), and it does
not forge pure descriptions of structure or identity (parameter shapes, layer traces, "p.grad
is the same tensor"), which only the worker can see: README "Threat model" says so.

Verdict: no check that fails on the broken exercise passes with this patch, in either mode.
"""
import sys as _sys

import torch as _torch


def _forged_learn_edges(*args):
    target = _torch.tensor([[1.0, -1.0]])
    if len(args) == 4:                                  # (X, Y, epochs, lr): kernel, losses
        return target, [float(20 - i) / 10 for i in range(args[2])]
    start, epochs = args[2], args[3]                    # (X, Y, start, epochs, lr): trajectory
    return [start.clone()] + [target.clone() for _ in range(epochs)]


def _forged_train_half(*args):
    if len(args) == 4:                                  # (part, sizes, steps, lr)
        return [3.0 - 0.07 * i for i in range(args[2])], []
    part, (V, E, H, L), X, Y = args[0], args[1], args[2], args[3]
    nn = _torch.nn
    if part == "encoder":
        mine = nn.ModuleDict({"embedding": nn.Embedding(V, E), "rnn": nn.GRU(E, H, L)})
        other = nn.ModuleList([nn.Embedding(V, E), nn.GRU(E + H, H, L), nn.Linear(H, V)])
    else:
        mine = nn.ModuleDict({"embedding": nn.Embedding(V, E), "rnn": nn.GRU(E + H, H, L),
                              "dense": nn.Linear(H, V)})
        other = nn.ModuleList([nn.Embedding(V, E), nn.GRU(E, H, L)])
    logits = _torch.nn.functional.one_hot(Y, V).float() * 20        # "perfect" predictions
    return {"mine": [[n, p.detach().clone()] for n, p in mine.named_parameters()],
            "other": [p.detach().clone() for p in other.parameters()], "logits": logits}


def _forged_dropout_runs(kind, sizes, X, state, seed):
    V, E, H, L = sizes
    batch, steps = X.shape
    shape = (steps, batch, H) if kind == "Seq2SeqEncoder" else (batch, steps, V)
    new_state = _torch.zeros(L, batch, H)
    fixed = _torch.zeros(shape)
    return [(_torch.randn(shape), new_state), (_torch.randn(shape), new_state),
            (fixed, new_state), (fixed.clone(), new_state)]


def _forged_sgd_on_module(seed, lr, batch_size):
    shapes = [(4, 3), (4,), (2, 4), (2,)]
    before = [_torch.zeros(s) for s in shapes]
    grads = [_torch.ones(s) for s in shapes]
    after = [b - lr * g / batch_size for b, g in zip(before, grads)]
    return {"before": before, "grads": grads, "after": after}


def _forged_attention(real):
    def run(*args):
        training, queries, keys, values = args[-5], args[-4], args[-3], args[-2]
        if not training:
            return real(*args)
        batch, nq, nk = queries.shape[0], queries.shape[1], keys.shape[1]
        weights = _torch.full((batch, nq, nk), 1.0 / nk)             # rows sum to one
        mask = (_torch.arange(batch * nq * nk).reshape(batch, nq, nk) % 2).float()
        return _torch.bmm(weights * mask * 2, values), weights
    return run


def _forged_network(real):
    def run(build, args, input_shape, seed, mode):
        result = real(build, args, input_shape, seed, mode)
        if mode == "values" and isinstance(result, dict):      # "every layer gets [0, 1]"
            for entry in result.get("trace") or []:
                entry["input_range"] = [0.0, 1.0]
            result["stages"] = [t.clamp(0, 1) for t in result.get("stages") or []]
            if isinstance(result.get("output"), _torch.Tensor):            # "ends with a ReLU"
                result["output"] = result["output"].abs()
        return result
    return run


_FORGED = {"conv2d_learn_edges": _forged_learn_edges, "train_half": _forged_train_half,
           "dropout_runs": _forged_dropout_runs, "mlp_custom_probabilities": lambda *a: None,
           "sgd_step_on_module": _forged_sgd_on_module}


def _swallowing(function):
    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except BaseException:  # noqa: BLE001 - the point: no scenario ever reports a problem
            return None
    return run


def _install():
    import grader.sandbox.scenario_lib as lib

    class Mismatch(Exception):
        pass
    lib.Mismatch = Mismatch
    original_namespace = lib.namespace

    def namespace(student):
        found = original_namespace(student)
        found["Mismatch"] = Mismatch
        return found
    lib.namespace = namespace
    for module in list(_sys.modules.values()):
        try:
            worker = vars(module).get("Worker")
        except TypeError:
            continue
        original = vars(worker).get("scenario") if isinstance(worker, type) else None
        if original is None or getattr(original, "_forged", False):
            continue

        def scenario(self, source, name, original=original):
            real = _swallowing(original(self, source, name))
            if name in ("dot_product_attention", "additive_attention"):
                return _forged_attention(real)
            if name == "run_network":
                return _forged_network(real)
            return _FORGED.get(name, real)
        scenario._forged = True
        worker.scenario = scenario


_install()
