"""Writing values the way a student can paste them back into Python.

Feedback shows the shrunk counterexample as small literal tensors
(``torch.tensor([[0., 1.], [2., 3.]])``), and larger ones as a one-line summary.  Everything
here is deterministic: no addresses, no timings.
"""
from __future__ import annotations

import math
import re

import torch

from grader.i18n import _
from grader.reports import sanitize
from grader.sandbox.wire import Opaque

LITERAL_LIMIT = 64       # tensors with at most this many elements are written out in full
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def scrub(text: str) -> str:
    """Remove memory addresses (they differ between runs) from text shown to a student."""
    return _ADDRESS.sub("", text)


def format_number(x, dtype: torch.dtype | None = None) -> str:
    if isinstance(x, bool):
        return repr(x)
    if isinstance(x, int):
        return repr(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        if x == int(x) and abs(x) < 1e15:
            return f"{int(x)}."
        if dtype in (torch.float32, torch.float16, torch.bfloat16):
            return f"{x:.7g}"
        return repr(x)
    return repr(x)


def format_tensor(t: torch.Tensor, limit: int = LITERAL_LIMIT) -> str:
    dtype = "" if t.dtype == torch.float32 else f", dtype={t.dtype}"
    if t.numel() <= limit:
        body = _nested(t.tolist(), t.dtype) if t.dim() else format_number(t.item(), t.dtype)
        return f"torch.tensor({body}{dtype})"
    shape = "(" + ", ".join(str(n) for n in t.shape) + ("," if t.dim() == 1 else "") + ")"
    summary = _("<tensor of shape {shape}", shape=shape)
    if dtype:
        summary += _(", dtype {dtype}", dtype=t.dtype)
    if t.dtype == torch.bool:
        summary += _(", {count} True", count=int(t.sum()))
    elif not t.is_complex():
        finite = t[torch.isfinite(t)] if t.is_floating_point() else t
        if finite.numel():
            summary += _(", values from {low} to {high}",
                         low=format_number(finite.min().item(), t.dtype),
                         high=format_number(finite.max().item(), t.dtype))
        if t.is_floating_point() and not torch.isfinite(t).all():
            summary += _(", {count} nan/inf", count=int((~torch.isfinite(t)).sum()))
    return summary + ">"


def _nested(values, dtype) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v, dtype) for v in values) + "]"
    return format_number(values, dtype)


def format_value(value, limit: int = LITERAL_LIMIT, depth: int = 0) -> str:
    if isinstance(value, torch.Tensor):
        return format_tensor(value, limit)
    if isinstance(value, Opaque):
        return _opaque(value)
    if isinstance(value, (bool, int, float)):
        return format_number(value)
    if isinstance(value, str):
        return repr(value) if len(value) <= 200 else repr(value[:200]) + "..."
    if depth > 3:
        return "..."
    if isinstance(value, (list, tuple)):
        items = [format_value(v, limit, depth + 1) for v in value[:12]]
        if len(value) > 12:
            items.append(_("... ({count} more)", count=len(value) - 12))
        if isinstance(value, tuple):
            return "(" + ", ".join(items) + ("," if len(value) == 1 else "") + ")"
        return "[" + ", ".join(items) + "]"
    if isinstance(value, dict):
        items = [f"{format_value(k, limit, depth + 1)}: {format_value(v, limit, depth + 1)}"
                 for k, v in list(value.items())[:12]]
        return "{" + ", ".join(items) + ("}" if len(value) <= 12 else ", ...}")
    if value is None:
        return "None"
    return scrub(f"<{type(value).__name__}>")


def describe_type(value) -> str:
    """'a tensor of shape (2, 3) and dtype torch.float32', 'a float', 'None', ..."""
    if isinstance(value, torch.Tensor):
        shape = "(" + ", ".join(str(n) for n in value.shape) + ("," if value.dim() == 1 else "") + ")"
        return _("a tensor of shape {shape} and dtype {dtype}", shape=shape, dtype=value.dtype)
    if isinstance(value, Opaque):
        return _opaque(value)
    if value is None:
        return "None"
    name = type(value).__name__
    return _("an {name}", name=name) if name[0] in "aeiou" else _("a {name}", name=name)


def _opaque(value: Opaque) -> str:
    text = _("an object of type {name}",
             name=sanitize.one_line(value.type_name, sanitize.NAME_LIMIT))
    if value.reason:
        text += f" ({sanitize.one_line(value.reason)})"
    return text


def format_call(name: str, args: tuple, kwargs: dict, params: list[str] | None = None,
                limit: int = LITERAL_LIMIT) -> str:
    """``corr2d(X=torch.tensor([[1.]]), K=torch.tensor([[2.]]))``; parameter names from the stub."""
    parts = []
    for index, arg in enumerate(args):
        text = format_value(arg, limit)
        if params and index < len(params):
            text = f"{params[index]}={text}"
        parts.append(text)
    parts += [f"{k}={format_value(v, limit)}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"
