"""What a judge process computes once and reuses for every submission it grades.

A ``grade batch`` slot (or a Dask worker's slot) is one judge process grading submission after
submission with the same check modules (a slot never reloads them: a changed check file is a
new slot, and a different checks folder is a different module).  What depends only on a
check, never on the student, is computed the first time the check runs and kept with the
check's function object:

* the check's hypothesis digest (:func:`pin_digest`): hypothesis derives a derandomized
  check's random seed, and its example-database key, from a hash of the check's source
  (``function_digest``: reading, tokenizing and parsing the source, 4% of a warm slot's CPU
  time per submission, benchmarks/profile_slot.py).  It is computed once, by hypothesis's
  own function on the same object, and handed back to hypothesis through ``@seed``'s
  attribute and the database key's, so the seed, and so every example, is the one hypothesis
  would derive itself;
* the examples of a check that passed (grader/judge/replay.py).

Nothing here changes what a check does: same examples, same order, same seeds, the same
bytes in the report, with the cache warm or cold (tests/test_slot_reuse.py).
"""
from __future__ import annotations


def pin_digest(wrapped) -> None:
    """Compute the hypothesis digest of the check ``wrapped`` (a ``@given`` test) once per
    process: the seed a derandomized check would derive from it, and its database key, are
    set on the test as ``@seed`` sets them.  Call it after the test's ``inner_test`` is final
    (the digest is of that function, as hypothesis computes it at each run)."""
    handle = getattr(wrapped, "hypothesis", None)
    if handle is None or getattr(wrapped, "_grader_digest_pinned", False):
        return
    try:
        from hypothesis.internal.compat import int_from_bytes
        from hypothesis.internal.reflection import function_digest
    except ImportError:          # another hypothesis: it computes the digest itself
        return
    settings = getattr(wrapped, "_hypothesis_internal_use_settings", None)
    digest = function_digest(handle.inner_test)
    # exactly what hypothesis.core does at each run: Random(int_from_bytes(digest)) for a
    # derandomized test without an explicit @seed, and the digest as the database key
    if (getattr(settings, "derandomize", False)
            and getattr(wrapped, "_hypothesis_internal_use_seed", None) is None):
        wrapped._hypothesis_internal_use_seed = int_from_bytes(digest)
    wrapped._hypothesis_internal_database_key = digest
    wrapped._grader_digest_pinned = True
