"""Static advice on a student's definition (read with ``ast``, never run).

Used by advisory checks: reported to the student, never deducted.
"""
from __future__ import annotations

import ast

FACTORIES = {"zeros", "ones", "empty", "full", "rand", "randn", "randint", "arange", "eye",
             "linspace", "tensor"}


def device_unaware_factories(source: str) -> list[tuple[str, int]]:
    """``torch.zeros(...)``-style calls without ``device=``: (call, line) pairs.

    Such tensors live on the CPU whatever the input's device, so the code breaks on a GPU.
    ``torch.zeros_like(X)``, ``X.new_zeros(...)`` and calls with ``device=`` are fine.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id == "torch" and node.func.attr in FACTORIES:
            if not any(k.arg == "device" for k in node.keywords):
                found.append((f"torch.{node.func.attr}(...)", node.lineno))
    return found
