"""Hypothesis strategies for tensors, built on ``hypothesis.extra.numpy``.

Integer-valued float tensors are the default for exact comparisons: sums of small integers
are exact in float32, so a mismatch is a real bug and the shrunk counterexample is readable.
"""
from __future__ import annotations

import functools

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


def _built_once(make):
    """A strategy factory whose strategies are built once per distinct (hashable) arguments;
    see :func:`tensors`."""
    cached = functools.lru_cache(maxsize=1024)(make)

    @functools.wraps(make)
    def factory(*args, **kwargs):
        try:
            return cached(*args, **kwargs)
        except TypeError:          # unhashable arguments: built for this call only
            return make(*args, **kwargs)
    return factory


def tensors(shape, *, low: int = -5, high: int = 5, integer_valued: bool = True,
            dtype=torch.float32, nonzero: bool = False) -> st.SearchStrategy[torch.Tensor]:
    """Tensors of ``shape`` (a tuple or a strategy of tuples).

    Built once per distinct arguments in a judge process (a batch slot grades every student
    with the same objects): a strategy is immutable, and one built anew inside every draw of
    a composite strategy was validated anew by hypothesis each time.  The examples drawn are
    the same either way."""
    try:
        return _tensors(shape, low, high, integer_valued, dtype, nonzero)
    except TypeError:             # an unhashable shape: built for this call only
        return _tensors.__wrapped__(shape, low, high, integer_valued, dtype, nonzero)


@functools.lru_cache(maxsize=4096)
def _tensors(shape, low, high, integer_valued, dtype, nonzero) -> st.SearchStrategy:
    np_dtype = {torch.float32: np.float32, torch.float64: np.float64,
                torch.int64: np.int64}[dtype]
    if integer_valued or dtype == torch.int64:
        elements = st.integers(low, high)
        if nonzero:
            elements = elements.filter(bool)
    else:
        width = 32 if dtype == torch.float32 else 64
        elements = st.floats(low, high, width=width, allow_nan=False, allow_infinity=False)
        if nonzero:
            elements = elements.filter(lambda x: abs(x) > 1e-3)
    return hnp.arrays(np_dtype, shape, elements=elements).map(
        lambda a: torch.from_numpy(np.array(a, copy=True)))


@functools.lru_cache(maxsize=256)
def shapes(dims: int = 2, min_side: int = 1, max_side: int = 8) -> st.SearchStrategy[tuple]:
    return hnp.array_shapes(min_dims=dims, max_dims=dims, min_side=min_side, max_side=max_side)


@_built_once
@st.composite
def input_and_window(draw, max_side: int = 8, min_side: int = 1, **tensor_kwargs):
    """A 2-D input (h, w) and a window size (kh <= h, kw <= w): for corr2d and pooling."""
    h, w = draw(shapes(2, min_side, max_side))
    kh = draw(st.integers(1, h))
    kw = draw(st.integers(1, w))
    X = draw(tensors((h, w), **tensor_kwargs))
    return X, (kh, kw)


@_built_once
@st.composite
def input_and_kernel(draw, max_side: int = 8, min_side: int = 1, **tensor_kwargs):
    """A 2-D input X and a 2-D kernel K that fits inside it."""
    X, (kh, kw) = draw(input_and_window(max_side=max_side, min_side=min_side, **tensor_kwargs))
    K = draw(tensors((kh, kw), **tensor_kwargs))
    return X, K
