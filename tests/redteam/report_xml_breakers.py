"""Puts characters that XML 1.0 forbids (NUL, ESC, other C0 controls, lone surrogates,
U+FFFE) and an XML end tag in its messages and output, to make the JUnit export not
well-formed or to close its elements early.

bwrap: blocked
process: blocked
reports: safe
"""

BREAKERS = "nul\x00 esc\x1b bell\x07 vt\x0b ff\x0c \ud800 \udfff \ufffe \uffff ]]></failure></testcase>&amp;"


def corr2d(X, K):
    try:
        print(BREAKERS)
    except UnicodeError:
        print(BREAKERS.encode("utf-8", "surrogatepass").decode("utf-8", "replace"))
    raise KeyError(BREAKERS)
