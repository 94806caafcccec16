"""The older book's (w ** 2).sum() / 2.

advice: none
"""


def l2_penalty(w):
    return (w ** 2).sum() / 2
