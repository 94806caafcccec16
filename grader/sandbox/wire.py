"""The only format in which anything travels from the worker back to the judge.

The worker runs student code, so whatever it sends is untrusted bytes.  Nothing is ever
unpickled on the judge's side: a reply is a JSON header plus raw tensor buffers, and the
decoder rebuilds fresh plain values (``torch.Tensor``, ``int``, ``float``, ``bool``, ``str``,
``None``, lists, tuples, dicts) from them, checking every field as it goes.  An object the
worker cannot express that way arrives as an :class:`Opaque` description, never as itself.

Frame layout: ``u64 total | u32 header_len | header (UTF-8 JSON) | buffer bytes ...``.
This module imports only the standard library, grader.i18n (its messages are shown to the
student, in the student's language) and (lazily, so that the judge can start the worker before
paying for its own torch import) torch: the worker imports it too.
"""
from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from functools import lru_cache

from grader.i18n import _

MAX_FRAME = 256 * 1024 * 1024      # a reply larger than this is a protocol violation
MAX_DEPTH = 32
MAX_ITEMS = 200_000
MAX_STR = 1_000_000
# What the judge accepts before it parses a header (see :func:`decode`).  The encoder keeps
# within them, so only a forged frame meets them.
MAX_HEADER = 16 * 1024 * 1024      # bytes of JSON header in one frame
# JSON values a header may hold: a plain item is up to ~10 JSON values on the wire (a tensor
# node: its fields, its shape, its entry in "sizes"; a dict entry: its pair)
MAX_TOKENS = 10 * MAX_ITEMS
MAX_DIM = 2 ** 48                  # largest tensor dimension a header may declare

# Tensor dtypes that may cross; anything else is described as opaque.
DTYPE_NAMES = ("float16", "bfloat16", "float32", "float64", "complex64", "complex128",
               "uint8", "int8", "int16", "int32", "int64", "bool")


@lru_cache(maxsize=None)
def _torch():
    import torch
    return torch


@lru_cache(maxsize=None)
def _dtypes() -> dict:
    torch = _torch()
    return {name: getattr(torch, name) for name in DTYPE_NAMES}


@lru_cache(maxsize=None)
def _dtype_names() -> dict:
    return {dtype: name for name, dtype in _dtypes().items()}


@dataclass(frozen=True)
class Opaque:
    """A value the worker could not send as plain data: only its type name and a short repr."""
    type_name: str
    text: str
    reason: str = ""

    def __repr__(self) -> str:
        return f"<{self.type_name} object>"


class WireError(Exception):
    """The bytes from the worker are not a well-formed reply."""


# --------------------------------------------------------------------------- encoding (worker)
class _Encoder:
    def __init__(self, max_bytes: int, strict: bool = False):
        self.buffers: list[bytes] = []
        self.nbytes = 0
        self.items = 0
        self.max_bytes = max_bytes
        self.strict = strict      # refuse (instead of describing) what is not plain data

    def encode(self, value, depth: int = 0):
        self.items += 1
        if self.items > MAX_ITEMS:
            raise WireError(_("the result has more than {count} items", count=MAX_ITEMS))
        if depth > MAX_DEPTH:
            raise WireError(_("the result is nested more than {count} levels deep",
                              count=MAX_DEPTH))
        kind = type(value)
        if value is None or kind is bool or kind is str and len(value) <= MAX_STR:
            return value
        if kind is str:
            raise WireError(_("the result contains a string of {count} characters",
                              count=len(value)))
        if kind is int:
            if value.bit_length() > 256:
                raise WireError(_("the result contains an integer with more than 256 bits"))
            return value
        if kind is float:
            return value if math.isfinite(value) else {"$float": repr(value)}
        if isinstance(value, _torch().Tensor):
            return self._tensor(value)
        if kind is list:
            return [self.encode(v, depth + 1) for v in value]
        if kind is tuple:
            return {"$tuple": [self.encode(v, depth + 1) for v in value]}
        if kind is dict:
            return {"$dict": [[self.encode(k, depth + 1), self.encode(v, depth + 1)]
                              for k, v in value.items()]}
        return self._other(value, depth)

    def _tensor(self, value):
        torch = _torch()
        if self.strict and (type(value) is not torch.Tensor or value.requires_grad):
            raise WireError("not a plain tensor")
        if type(value) is not torch.Tensor and type(value) is not torch.nn.Parameter:
            return self._opaque(value, _("a subclass of torch.Tensor"))
        if value.layout != torch.strided or value.is_quantized or value.is_meta:
            return self._opaque(value, _("a tensor with layout {layout}", layout=str(value.layout)))
        if value.dtype not in _dtype_names():
            return self._opaque(value, _("a tensor of dtype {dtype}", dtype=str(value.dtype)))
        plain = value.detach().to("cpu")
        if plain.is_conj():
            plain = plain.resolve_conj()
        # a fresh dense copy: a "contiguous" one-element view may still have odd strides
        flat = plain.reshape(-1).clone(memory_format=torch.contiguous_format)
        data = flat.view(torch.uint8).numpy().tobytes() if plain.numel() else b""
        self.nbytes += len(data)
        if self.nbytes > self.max_bytes:
            raise WireError(_("the result is larger than {size} MB",
                                  size=self.max_bytes // (1024 * 1024)))
        self.buffers.append(data)
        return {"$tensor": len(self.buffers) - 1, "dtype": _dtype_names()[value.dtype],
                "shape": list(plain.shape)}

    def _other(self, value, depth):
        # numpy numbers are common in student answers (e.g. a BLEU score from math on arrays)
        # and arrive as numbers; a numpy array is not the tensor a docstring asks for, so it
        # arrives as what it is (converting it would let it pass a tensor check)
        module = type(value).__module__
        if module == "numpy":
            if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
                shape = ", ".join(str(n) for n in value.shape)
                return self._opaque(value, _("a numpy array of shape ({shape}) and dtype "
                                             "{dtype}, not a torch.Tensor", shape=shape,
                                             dtype=str(value.dtype)))
            item = value.item() if hasattr(value, "item") else value
            if type(item) in (bool, int, float):
                return self.encode(item, depth + 1)
        if isinstance(value, (int, float, str, list, tuple, dict)):  # subclasses: describe only
            return self._opaque(value, _("a subclass of {base}",
                                         base=type(value).__mro__[1].__name__))
        return self._opaque(value, "")

    def _opaque(self, value, reason):
        if self.strict:
            raise WireError(f"not plain data: {type(value).__name__}")
        try:
            text = object.__repr__(value)
        except Exception:  # noqa: BLE001
            text = "?"
        name = f"{type(value).__module__}.{type(value).__qualname__}"
        return {"$opaque": name[:200], "text": text[:200], "reason": reason}


def encode(message, max_bytes: int = 64 * 1024 * 1024, strict: bool = False) -> bytes:
    """Serialise a message (a dict of plain values) into one frame.

    ``strict``: raise WireError for anything that is not plain data (the judge uses it for
    requests, falling back to pickle, which only the judge ever produces)."""
    enc = _Encoder(max_bytes, strict)
    header = json.dumps({"value": enc.encode(message), "sizes": [len(b) for b in enc.buffers]},
                        allow_nan=False, separators=(",", ":")).encode()
    if len(header) > MAX_HEADER or measure(header) > MAX_TOKENS:
        raise WireError(_("the result is too large to send: its description is over {size} "
                          "MB or {count} values (long strings, or strings full of commas and "
                          "brackets, count)", size=MAX_HEADER // 2**20, count=MAX_TOKENS))
    body = struct.pack(">I", len(header)) + header + b"".join(enc.buffers)
    return struct.pack(">Q", len(body)) + body


# --------------------------------------------------------------------------- decoding (judge)
def frame_length(prefix: bytes, limit: int = MAX_FRAME) -> int:
    """The body length an 8-byte prefix announces; WireError above ``limit`` bytes (the
    judge passes its worker's result limit plus :data:`MAX_HEADER`, never reading more)."""
    (length,) = struct.unpack(">Q", prefix)
    if length > min(limit, MAX_FRAME):
        raise WireError(_("the worker announced a reply of {size} bytes (at most {limit} "
                          "allowed)", size=length, limit=min(limit, MAX_FRAME)))
    return length


class Budget:
    """What decoding may cost over several frames of one call (a request's reply, or a
    worker's start-up messages): header bytes and JSON values, each capped at ``frames``
    full frames' worth."""

    def __init__(self, frames: int = 2, tokens: int | None = None):
        self.header_bytes = frames * MAX_HEADER
        self.tokens = frames * MAX_TOKENS if tokens is None else tokens

    def spend(self, header_bytes: int, tokens: int) -> None:
        self.header_bytes -= header_bytes
        self.tokens -= tokens
        if self.header_bytes < 0 or self.tokens < 0:
            raise WireError(_("the worker sent more data in one call than a result may hold"))


_SEPARATORS = (b",", b"[", b"{", b":")


def measure(header: bytes) -> int:
    """An upper bound on the number of JSON values in a header, counted in C without copying
    it: every value but the first follows one of ``, [ { :``.  Separators inside strings are
    counted too (the encoder applies the same rule, so a frame it makes always passes)."""
    return 1 + sum(header.count(sep) for sep in _SEPARATORS)


def decode(body: bytes, budget: Budget | None = None):
    """Rebuild plain values from one frame body; raises WireError on anything malformed.

    The cost is bounded before any parsing: the header's size (:data:`MAX_HEADER`) and its
    number of JSON values (:data:`MAX_TOKENS`, see :func:`measure`), per frame and, through
    ``budget``, per call.  Nesting is bounded while parsing: the JSON parser's own recursion
    guard, then :data:`MAX_DEPTH` in the rebuilding."""
    if len(body) < 4:
        raise WireError("truncated reply")
    (hlen,) = struct.unpack(">I", body[:4])
    if hlen > len(body) - 4:
        raise WireError("truncated header")
    if hlen > MAX_HEADER:
        raise WireError(f"the reply's header is {hlen} bytes (at most {MAX_HEADER})")
    text = body[4:4 + hlen]
    tokens = measure(text)
    if tokens > MAX_TOKENS:
        raise WireError(f"the reply holds more than {MAX_TOKENS} values")
    if budget is not None:
        budget.spend(hlen, tokens)
    try:
        header = json.loads(text.decode("utf-8"), parse_constant=_no_constants)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise WireError(f"unreadable header: {str(exc)[:200]}") from None
    if type(header) is not dict or set(header) != {"value", "sizes"}:
        raise WireError("header has the wrong fields")
    sizes = header["sizes"]
    if type(sizes) is not list or any(type(s) is not int or s < 0 for s in sizes):
        raise WireError("bad buffer sizes")
    if sum(sizes) != len(body) - 4 - hlen:
        raise WireError("buffer sizes do not match the frame")
    buffers, offset = [], 4 + hlen
    for size in sizes:
        buffers.append(body[offset:offset + size])
        offset += size
    return _Decoder(buffers).decode(header["value"], 0)


def _no_constants(name):
    raise ValueError(f"non-standard JSON constant {name}")


class _Decoder:
    def __init__(self, buffers):
        self.buffers = buffers
        self.used: set[int] = set()

    def decode(self, node, depth):
        if depth > MAX_DEPTH + 2:
            raise WireError("nested too deeply")
        kind = type(node)
        if node is None or kind in (bool, int, str):
            return node
        if kind is float:
            return node
        if kind is list:
            return [self.decode(v, depth + 1) for v in node]
        if kind is not dict or len(node) == 0:
            raise WireError("unexpected node")
        if "$float" in node:
            text = node["$float"]
            if set(node) != {"$float"} or text not in ("nan", "inf", "-inf"):
                raise WireError("bad float")
            return float(text)
        if "$tuple" in node:
            if set(node) != {"$tuple"} or type(node["$tuple"]) is not list:
                raise WireError("bad tuple")
            return tuple(self.decode(v, depth + 1) for v in node["$tuple"])
        if "$dict" in node:
            pairs = node["$dict"]
            if set(node) != {"$dict"} or type(pairs) is not list:
                raise WireError("bad dict")
            out = {}
            for pair in pairs:
                if type(pair) is not list or len(pair) != 2:
                    raise WireError("bad dict entry")
                key = self.decode(pair[0], depth + 1)
                try:
                    out[key] = self.decode(pair[1], depth + 1)
                except TypeError:
                    raise WireError("unhashable dict key") from None
            return out
        if "$tensor" in node:
            return self._tensor(node)
        if "$opaque" in node:
            if set(node) != {"$opaque", "text", "reason"} or not all(
                    type(node[k]) is str for k in node):
                raise WireError("bad opaque value")
            return Opaque(node["$opaque"][:200], node["text"][:200], node["reason"][:200])
        raise WireError("unknown node")

    def _tensor(self, node):
        if set(node) != {"$tensor", "dtype", "shape"}:
            raise WireError("bad tensor fields")
        index, dtype_name, shape = node["$tensor"], node["dtype"], node["shape"]
        if type(index) is not int or not 0 <= index < len(self.buffers) or index in self.used:
            raise WireError("bad tensor buffer")
        self.used.add(index)
        if dtype_name not in DTYPE_NAMES or type(shape) is not list or len(shape) > 16 or any(
                type(s) is not int or not 0 <= s <= MAX_DIM for s in shape):
            raise WireError("bad tensor dtype or shape")
        torch = _torch()
        dtype = _dtypes()[dtype_name]
        numel = math.prod(shape)
        data = self.buffers[index]
        if len(data) != numel * torch.empty((), dtype=dtype).element_size():
            raise WireError("tensor size does not match its buffer")
        if numel == 0:
            return torch.empty(shape, dtype=dtype)
        return torch.frombuffer(bytearray(data), dtype=dtype).reshape(shape)
