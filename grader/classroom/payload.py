"""A submission as bytes: what the batch coordinator sends a Dask worker to grade.

The coordinator reads every submission itself, with the one safe reader
(:func:`grader.submission.discover.load`: regular files only, bounded, under a deadline), and
sends what it read, never a path: a cluster shares no file system, and what a worker grades
must be exactly what the gradebook records.  The bytes are UTF-8 JSON (never a pickle): the
submission's notes and each :class:`~grader.submission.source.Unit` field by field, whatever
fields it has (a set as ``{"set": [...]}`` sorted, a mapping as ``{"map": [[key, value],
...]}`` so that line numbers stay numbers), with the label the reports use::

    {"format": "grader-submission", "version": 1, "label": "alice", "notes": [...],
     "units": [{"module": "convolution", "origin": "convolution.py", "source": "...",
                "defines": {"set": ["corr2d", ...]}, "line_origins": {"map": [[1, ...]]},
                ...}, ...]}

:func:`unpack` rebuilds the :class:`~grader.submission.discover.Submission` and checks it
against the content hash the coordinator recorded: a payload that does not hash to it (cut
short, altered on the way, packed by another version) raises :class:`PayloadError`.
"""
from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

from grader.submission.discover import Submission
from grader.submission.source import Unit

FORMAT = "grader-submission"
VERSION = 1


class PayloadError(ValueError):
    """The bytes are not a submission this grader can unpack, or not the one announced."""


def pack(submission: Submission, label: str) -> bytes:
    """``submission`` (as read by the coordinator) as UTF-8 JSON bytes, sorted by module.

    Raises PayloadError for a unit field this format cannot carry."""
    units = [{f.name: _encode(getattr(submission.units[module], f.name))
              for f in fields(Unit)} for module in sorted(submission.units)]
    document = {"format": FORMAT, "version": VERSION, "label": label, "units": units,
                "notes": _encode(list(submission.notes))}
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode("utf-8")


def unpack(data: bytes, content_hash: str) -> Submission:
    """The submission packed in ``data``; raises PayloadError unless it is well formed and
    its digest (:meth:`Submission.digest`) equals ``content_hash``."""
    try:
        document = json.loads(data.decode("utf-8"))
        if document.get("format") != FORMAT or document.get("version") != VERSION:
            raise PayloadError(f"not a {FORMAT} version {VERSION} payload")
        names = {f.name for f in fields(Unit)}
        units = {}
        for item in document["units"]:
            if set(item) != names:
                raise PayloadError("a unit packed by another version of the grader: fields "
                                   f"{sorted(set(item) ^ names)} differ")
            unit = Unit(**{name: _decode(value) for name, value in item.items()})
            units[unit.module] = unit
        submission = Submission(Path(document["label"]), units, _decode(document["notes"]))
    except PayloadError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PayloadError(f"a malformed submission payload: {type(exc).__name__}: {exc}"
                           ) from None
    if submission.digest() != content_hash:
        raise PayloadError("the submission received does not match the content hash the "
                           "coordinator recorded: refusing to grade it")
    return submission


def _encode(value):
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (set, frozenset)):
        return {"set": sorted(_encode(v) for v in value)}
    if isinstance(value, dict):
        return {"map": sorted([_encode(k), _encode(v)] for k, v in value.items())}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    raise PayloadError(f"cannot pack a {type(value).__name__} into a submission payload")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"set"}:
            return {_decode(v) for v in value["set"]}
        if set(value) == {"map"}:
            return {_decode(k): _decode(v) for k, v in value["map"]}
        raise ValueError(f"unknown tagged value {sorted(value)}")
    return value
