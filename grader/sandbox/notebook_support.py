"""What a graded notebook's module runs first (as ``_grader_nb_``): resolving the book's
``d2l`` names and guarding imports of modules that are not installed.

The worker imports this module next to the student's (it is one of the few grader modules the
sandboxed worker can see); it runs inside the worker, so it must not know anything secret.
Tested by tests/test_notebooks.py.
"""
import ast

from grader.i18n import _


def top_level_names(tree):
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return names


_PLOTTING = {"plot", "semilogy", "set_figsize", "use_svg_display", "show_images",
             "show_heatmaps", "set_axes", "plt", "Animator", "show_trace_2d", "show_bboxes",
             "show_list_len_pair_hist", "display", "set_matplotlib_formats", "figsize"}
_TORCH_ALIASES = {"ones", "zeros", "tensor", "arange", "meshgrid", "sin", "sinh", "cos",
                  "cosh", "tanh", "linspace", "exp", "log", "normal", "rand", "randn", "matmul",
                  "int32", "int64", "float32", "concat", "stack", "abs", "eye"}
_SUBMODULES = {"torch", "mxnet", "tensorflow", "jax", "paddle"}
# given by the book and by this course (never an exercise: see tests/test_notebooks.py)
BOOK_HELPERS = {"linreg", "squared_loss", "Accumulator", "Timer", "load_array", "Encoder",
                "Decoder", "EncoderDecoder", "try_gpu", "try_all_gpus", "cpu", "num_gpus",
                "add_to_class"}
_ABSENT = object()


class _NoOp:
    """Plotting and display from the book: accepted and ignored while grading."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __repr__(self):
        return f"<{self._name}: ignored while grading>"


def _book_helper(name: str):
    if name not in BOOK_HELPERS:
        return _ABSENT
    import time

    import torch
    from torch import nn
    from torch.utils import data

    if name == "linreg":
        def linreg(X, w, b):
            return torch.matmul(X, w) + b
        return linreg
    if name == "squared_loss":
        def squared_loss(y_hat, y):
            return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2
        return squared_loss
    if name == "Accumulator":
        class Accumulator:
            def __init__(self, n):
                self.data = [0.0] * n

            def add(self, *args):
                self.data = [a + float(b) for a, b in zip(self.data, args)]

            def reset(self):
                self.data = [0.0] * len(self.data)

            def __getitem__(self, idx):
                return self.data[idx]
        return Accumulator
    if name == "Timer":
        class Timer:
            def __init__(self):
                self.times = []
                self.start()

            def start(self):
                self.tik = time.time()

            def stop(self):
                self.times.append(time.time() - self.tik)
                return self.times[-1]

            def avg(self):
                return sum(self.times) / len(self.times)

            def sum(self):
                return sum(self.times)
        return Timer
    if name == "load_array":
        def load_array(data_arrays, batch_size, is_train=True):
            return data.DataLoader(data.TensorDataset(*data_arrays), batch_size,
                                   shuffle=is_train)
        return load_array
    if name in ("try_gpu", "cpu"):
        return lambda i=0: torch.device("cpu")
    if name == "try_all_gpus":
        return lambda: [torch.device("cpu")]
    if name == "num_gpus":
        return lambda: 0
    if name == "add_to_class":
        def add_to_class(Class):
            def wrapper(obj):
                setattr(Class, obj.__name__, obj)
            return wrapper
        return add_to_class

    class Encoder(nn.Module):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def forward(self, X, *args):
            raise NotImplementedError

    class Decoder(nn.Module):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)

        def init_state(self, enc_outputs, *args):
            raise NotImplementedError

        def forward(self, X, state):
            raise NotImplementedError

    class EncoderDecoder(nn.Module):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder, self.decoder = encoder, decoder

        def forward(self, enc_X, dec_X, *args):
            enc_outputs = self.encoder(enc_X, *args)
            dec_state = self.decoder.init_state(enc_outputs, *args)
            return self.decoder(dec_X, dec_state)

    return {"Encoder": Encoder, "Decoder": Decoder, "EncoderDecoder": EncoderDecoder}[name]


def _from_other_files(namespace: dict, name: str):
    """``name`` from another module of the same submission (the student's other notebooks)."""
    import importlib
    import os
    here = namespace.get("__file__")
    if not here:
        return _ABSENT
    folder, own = os.path.split(os.path.realpath(here))
    try:
        files = sorted(f for f in os.listdir(folder) if f.endswith(".py") and f != own)
    except OSError:
        return _ABSENT
    for file in files:
        try:
            with open(os.path.join(folder, file), encoding="utf-8") as handle:
                tree = ast.parse(handle.read())
        except (OSError, SyntaxError, ValueError, UnicodeDecodeError):
            continue
        if name in top_level_names(tree):
            try:
                module = importlib.import_module(file[:-3])
            except Exception:  # noqa: BLE001 - its own problem is reported for that file
                continue
            value = getattr(module, name, _ABSENT)
            if value is not _ABSENT:
                return value
    return _ABSENT


def _resolve(namespace: dict, name: str):
    value = namespace.get(name, _ABSENT)
    if value is not _ABSENT and not isinstance(value, (BookModule, _Unresolved)):
        return value
    if name in _PLOTTING:
        return _NoOp(name)
    helper = _book_helper(name)
    if helper is not _ABSENT:
        return helper
    if name in _TORCH_ALIASES:
        import torch
        return getattr(torch, "cat" if name == "concat" else name)
    return _from_other_files(namespace, name)


def _not_available(alias: str, name: str) -> str:
    return _("{alias}.{name} is not available: the grader does not use the book's d2l "
             "package, {alias}.{name} stands for the {name} defined in your submission (its "
             "notebooks or .py files), and it does not define {name}.  Define it (copy the "
             "book's code, or call your own function).", alias=alias, name=name)


class BookModule:
    """``d2l`` in a graded notebook: ``d2l.NAME`` is the notebook's own ``NAME``."""

    def __init__(self, namespace: dict, alias: str):
        object.__setattr__(self, "_namespace", namespace)
        object.__setattr__(self, "_alias", alias)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in _SUBMODULES:
            return self
        value = _resolve(self._namespace, name)
        if value is _ABSENT:
            raise AttributeError(_not_available(self._alias, name))
        return value

    def __repr__(self):
        return f"<{self._alias}: the names of this notebook (the d2l package is not used)>"


class _Unresolved:
    """``from d2l.torch import NAME`` when nothing defines NAME (yet): resolved when used."""

    def __init__(self, namespace: dict, name: str, alias: str):
        self._namespace, self._name, self._alias = namespace, name, alias

    def _target(self):
        value = _resolve(self._namespace, self._name)
        if value is _ABSENT:
            raise NameError(_not_available("d2l", self._name))
        return value

    def __call__(self, *args, **kwargs):
        return self._target()(*args, **kwargs)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._target(), name)

    def __mro_entries__(self, bases):
        return (self._target(),)


def book_module(namespace: dict, alias: str) -> BookModule:
    return BookModule(namespace, alias)


def book_name(namespace: dict, name: str, alias: str):
    """The value of ``from d2l import NAME as alias``: the notebook's NAME if it has one."""
    if name in _SUBMODULES:
        return BookModule(namespace, alias)
    value = _resolve(namespace, name)
    return _Unresolved(namespace, name, alias) if value is _ABSENT else value


class MissingModule:
    """A module that could not be imported where the notebook is graded."""

    def __init__(self, name: str, statement: str, where: str, error: str):
        self._message = _("{name} is not available: `{statement}` ({where}) failed where your "
                          "notebook is graded ({error}).  Graded code cannot use it; plots "
                          "and prints belong in other cells.", name=name, statement=statement,
                          where=where, error=error)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        raise ModuleNotFoundError(self._message)

    def __call__(self, *args, **kwargs):
        raise ModuleNotFoundError(self._message)

    def __mro_entries__(self, bases):
        raise ModuleNotFoundError(self._message)


def missing(name: str, statement: str, where: str, error: BaseException) -> MissingModule:
    return MissingModule(name, statement, where, f"{type(error).__name__}: {error}")
