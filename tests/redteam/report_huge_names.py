"""Floods every report with huge student-controlled names: an exception class whose name is
900,000 characters long, raised with a long message, after printing a lot; the reports must
stay small (the JSON of two exercises under 200 kB).

bwrap: blocked
process: blocked
reports: safe
"""

Huge = type("E" * 900_000, (Exception,), {})


def corr2d(X, K):
    print("x" * 50_000)
    raise Huge("m" * 1_000_000)
