"""The check-writing API: the one import path of ``grader/checks/*.py``.

``from grader.judge.api import check, examples, expect_close, Failure, tensors, ...``

Everything a check author needs (taught in grader/checks/README.md) is re-exported here from
the judge's modules, so the checks depend on this short list and not on where each piece
lives.  The one exception is code that runs *in the worker*: a scenario's body (a function
decorated with :func:`scenario`, shipped by source) imports what it needs from
``grader.sandbox.scenario_lib`` inside the body, because the worker side never imports the judge.

``_("message {name}", name=value)`` translates a check's own prose into the student's language
(domain ``checks`` of :mod:`grader.i18n`); a check's docstring and ``hint=`` are translated
where they are shown.  Words a scenario makes in the worker (which has no ``_``) travel as an
``N_`` template and its values, shown with :func:`template_text`; a scenario's
``Mismatch("... {name} ...", name=value)`` is translated by the judge.
"""
from grader.i18n import N_, check_text as _
from grader.judge import values
from grader.judge.checking import (GRADER_SETTINGS, Failure, Mismatch, NotImplementedYet, Reply,
                                   StudentError, advise_device, advise_vectorised, as_float64,
                                   check, examples, expect_close, expect_dtype, expect_equal, expect_no_builtin,
                                   expect_number, expect_raises, expect_shape, expect_tensor,
                                   mismatch_details, scenario)
from grader.judge.strategies import input_and_kernel, input_and_window, shapes, tensors
from grader.judge.student import scenario_source, template_text
from grader.judge.values import describe_type, format_number, format_value
from grader.sandbox.scenario_lib import (fill_by_shape, load_by_shape,
                                         namespace as scenario_namespace)

__all__ = ["_", "N_", "GRADER_SETTINGS", "Failure", "Mismatch", "NotImplementedYet", "Reply", "StudentError",
           "advise_device", "advise_vectorised", "as_float64", "check", "describe_type", "examples",
           "expect_close", "expect_dtype", "expect_equal", "expect_no_builtin", "expect_number", "expect_raises",
           "expect_shape", "expect_tensor", "fill_by_shape", "format_number", "format_value",
           "input_and_kernel", "input_and_window", "load_by_shape", "mismatch_details", "scenario",
           "scenario_namespace", "scenario_source", "shapes", "template_text", "tensors", "values"]
