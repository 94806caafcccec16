"""Reading untrusted input in the judge, by parsing only: files, folders, notebooks.

Everything here treats its input as hostile and bounded, and never runs it.
``reader`` (the one way to read a submission's files: regular files only, no links, FIFOs or
devices, sizes, depth and entries capped, under a deadline), ``archive`` (unpacking a zip the
same way), ``layout`` (where in a folder the student's work is: the one rule for every entry
point), ``pyfile`` (a ``.py`` file as Python reads it), ``discover`` (a submission's files and
the modules they become), ``notebook`` (the exercise definitions of a notebook), ``source``
(one module of Python source).
"""
