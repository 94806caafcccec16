"""Reading untrusted input in the judge, by parsing only: files, folders, notebooks.

Everything here treats its input as hostile and bounded, and never runs it.
``discover`` (a submission's files and the modules they become), ``notebook`` (the exercise
definitions of a notebook), ``source`` (one module of Python source).
"""
