"""The instructor's tools: ``generate`` (stubs from solutions), ``notebook_build`` (notebooks
out), ``publish`` (student release and autograder), ``validate`` (the self-check), ``mutants``
(the catalogue of known mistakes)."""
