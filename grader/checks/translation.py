"""Checks for solutions/translation.py: tokenize, Vocab, truncate_pad.

Vocab returns an object, so it is exercised by scenarios that build ``student.Vocab(...)``
inside the worker and send back plain lists (its tokens in index order, looked-up indices).
Tokens of equal frequency may come in any order: the book keeps their first appearance (a
stable sort of Counter items), older editions sorted them alphabetically; both are correct.
Nothing here is statistical: every check is exact and deterministic.
"""
from collections import Counter

from hypothesis import example, given
from hypothesis import strategies as st

from grader.judge.api import (_, Failure, StudentError, check, examples, expect_equal, scenario,
    values)

# --------------------------------------------------------------------------- tokenize
BOOK_LINES = ["the time machine by h g wells", "", "", "i", "",
              "the time traveller for so it will be convenient to speak of him",
              "was  expounding a recondite matter to us"]
BOOK_TOKENS = [["the", "time", "machine", "by", "h", "g", "wells"], [], [], ["i"], [],
               ["the", "time", "traveller", "for", "so", "it", "will", "be", "convenient",
                "to", "speak", "of", "him"],
               ["was", "expounding", "a", "recondite", "matter", "to", "us"]]
UNKNOWN_TYPE_ERRORS = ("ValueError", "AssertionError", "KeyError", "Exception")


def _expect_token_lines(got, expected, lines, token):
    """One list of tokens per line; say which line differs and where."""
    if not isinstance(got, list):
        raise Failure(_("tokenize should return a list with one list of tokens per line"),
                      expected=values.format_value(expected), actual=values.describe_type(got))
    if len(got) != len(expected):
        raise Failure(_("the result has {items} items for {lines} lines: return one list of "
                        "tokens per line (empty lines give [])", items=len(got),
                        lines=len(lines)),
                      expected=values.format_value(expected), actual=values.format_value(got))
    for i, (g, e) in enumerate(zip(got, expected)):
        if type(g) is not list:
            raise Failure(_("line {i} ({line}) should give a list of tokens", i=i,
                            line=repr(lines[i])),
                          expected=values.format_value(e), actual=values.describe_type(g) +
                          f": {values.format_value(g)}")
        if g != e:
            first = next((j for j, (a, b) in enumerate(zip(g, e)) if a != b), min(len(g), len(e)))
            details = (_("first difference at token {first}: expected {expected}, got {got}",
                         first=first, expected=values.format_value(e[first]),
                         got=values.format_value(g[first]))
                       if first < min(len(g), len(e)) else
                       _("expected {expected} tokens, got {got}", expected=len(e), got=len(g)))
            raise Failure(_("line {i} ({line}) is split wrongly into {token} tokens", i=i,
                            line=repr(lines[i]), token=token),
                          expected=values.format_value(e), actual=values.format_value(g),
                          details=details)


@check("tokenize", hint="line.split() (without an argument) splits on any run of whitespace "
                        "and gives [] for an empty line; line.split(' ') does neither.")
def test_book_example_words(student):
    """splits the book's first lines of The Time Machine into words (token='word' is the default)"""
    _expect_token_lines(student.tokenize(list(BOOK_LINES)), BOOK_TOKENS, BOOK_LINES, "word")


@check("tokenize", hint="token='char' gives list(line) for each line: every character, spaces "
                        "included, as a separate token.")
def test_char_example(student):
    """splits lines into characters with token='char' (spaces are tokens too)"""
    lines = ["the time", "", "i"]
    expected = [["t", "h", "e", " ", "t", "i", "m", "e"], [], ["i"]]
    _expect_token_lines(student.tokenize(list(lines), "char"), expected, lines, "char")


@check("tokenize", hint="only 'word' and 'char' are token types: for anything else, raise "
                        "ValueError (the book prints an error message and returns None).")
def test_unknown_token_type_is_an_error(student):
    """an unknown token type (e.g. 'sentence') is an error, not a silent result"""
    try:
        reply = student.tokenize.reply(["the time machine"], "sentence")
    except StudentError as exc:
        if exc.type_name in UNKNOWN_TYPE_ERRORS:
            return
        raise Failure(_("tokenize(lines, 'sentence') raised an unexpected kind of error"),
                      expected="ValueError", actual=exc.type_name or _("an error")) from None
    if reply.value is None and reply.stdout.strip():
        return           # the book's behaviour: print an error message, return None
    if reply.value is None:
        raise Failure(_("tokenize(lines, 'sentence') returns None without saying why"),
                      expected=_("a ValueError (or an error message printed, like the book)"),
                      actual=_("None, and nothing printed"))
    raise Failure(_("tokenize(lines, 'sentence') should be an error: 'sentence' is not a token "
                    "type"), expected=_("a ValueError"),
                  actual=_("it returned {value}", value=values.format_value(reply.value)))


# every whitespace the docstring names: spaces, tabs and newlines (a line read with readlines()
# ends with one)
_LINES_WITH_SPACES = st.lists(st.text(alphabet="ab \t\n", max_size=10), min_size=1, max_size=4)


@check("tokenize", hint="split on any run of whitespace (spaces, tabs, several in a row, at "
                        "the start or the end): line.split() with no argument.")
@examples(20)
@given(lines=_LINES_WITH_SPACES)
def test_words_match_str_split(student, lines):
    """token='word' splits every line like str.split() (runs of spaces, tabs, empty lines)"""
    _expect_token_lines(student.tokenize(list(lines), "word"), [line.split() for line in lines],
                        lines, "word")


@check("tokenize", hint="token='char' keeps every character of the line, spaces and tabs "
                        "included, one list per line.")
@examples(20)
@given(lines=st.lists(st.text(alphabet="abé \t", max_size=8), min_size=1, max_size=4))
def test_chars_match_list(student, lines):
    """token='char' gives list(line) for every line"""
    _expect_token_lines(student.tokenize(list(lines), "char"), [list(line) for line in lines],
                        lines, "char")


# --------------------------------------------------------------------------- Vocab
# The scenarios call Vocab the way the book does: Vocab(tokens), with min_freq and
# reserved_tokens passed (by name) only when they are not the defaults.
@scenario
def vocab_tokens(tokens, min_freq, reserved_tokens):
    """built vocab = Vocab(tokens, min_freq, reserved_tokens); listed its tokens by index"""
    kwargs = {}
    if min_freq != 0:
        kwargs["min_freq"] = min_freq
    if reserved_tokens is not None:
        kwargs["reserved_tokens"] = list(reserved_tokens)
    vocab = student.Vocab(tokens, **kwargs)
    return vocab.to_tokens(list(range(len(vocab))))


@scenario
def vocab_lookup(tokens, reserved_tokens, queries, as_list):
    """built vocab = Vocab(tokens, reserved_tokens=...); looked up vocab[queries] (or each q)"""
    vocab = student.Vocab(tokens, reserved_tokens=list(reserved_tokens))
    if as_list:
        return vocab[list(queries)]
    return [vocab[q] for q in queries]


@scenario
def vocab_to_tokens(tokens, reserved_tokens, indices, as_list):
    """built vocab = Vocab(tokens, reserved_tokens=...); called vocab.to_tokens(indices) (or each i)"""
    vocab = student.Vocab(tokens, reserved_tokens=list(reserved_tokens))
    if as_list:
        return vocab.to_tokens(list(indices))
    return [vocab.to_tokens(i) for i in indices]


@scenario
def vocab_probe(tokens, min_freq, reserved_tokens, queries, as_list):
    """built vocab = Vocab(tokens, min_freq, reserved_tokens); listed it; looked up the queries"""
    kwargs = {}
    if min_freq != 0:
        kwargs["min_freq"] = min_freq
    if reserved_tokens is not None:
        kwargs["reserved_tokens"] = list(reserved_tokens)
    vocab = student.Vocab(tokens, **kwargs)
    return {"tokens": vocab.to_tokens(list(range(len(vocab)))),
            "each": [vocab[q] for q in queries],
            "list": vocab[list(queries)] if as_list else None}


@scenario
def vocab_round_trip(tokens, sequence):
    """built vocab = Vocab(tokens) and computed vocab.to_tokens(vocab[sequence])"""
    vocab = student.Vocab(tokens)
    return vocab.to_tokens(vocab[list(sequence)])


@scenario
def vocab_index_of_each_token(tokens, min_freq, reserved_tokens):
    """built vocab = Vocab(tokens, min_freq, reserved_tokens); got vocab[vocab.to_tokens(i)] for each i"""
    kwargs = {}
    if min_freq != 0:
        kwargs["min_freq"] = min_freq
    if reserved_tokens is not None:
        kwargs["reserved_tokens"] = list(reserved_tokens)
    vocab = student.Vocab(tokens, **kwargs)
    listed = [vocab.to_tokens(i) for i in range(len(vocab))]
    return {"tokens": listed, "indices": [vocab[token] for token in listed]}


@scenario
def two_vocabularies(tokens_a, tokens_b, reserved_tokens):
    """built Vocab(tokens_a); Vocab(tokens_b); both with reserved_tokens=r; Vocab(tokens_a) again"""
    def listing(vocab):
        return vocab.to_tokens(list(range(len(vocab))))
    r = list(reserved_tokens)
    first = student.Vocab(tokens_a)
    before = listing(first)
    student.Vocab(tokens_b)
    student.Vocab(tokens_a, reserved_tokens=r)
    student.Vocab(tokens_b, reserved_tokens=r)
    again = student.Vocab(tokens_a)
    return {"before": before, "first_after": listing(first), "again": listing(again),
            "reserved_after": r}


def _flat(tokens):
    if tokens and isinstance(tokens[0], list):
        return [token for line in tokens for token in line]
    return list(tokens)


def _times(n):
    return _("{n} time", n=n) if n == 1 else _("{n} times", n=n)


def _listing_problem(got, expected, counts, min_freq, head):
    """The first thing wrong in a list of tokens in index order, in words."""
    if not got:
        return _("the vocabulary is empty: index 0 should hold '<unk>'")
    if got[0] != "<unk>":
        return _("index 0 holds {token}: it should be '<unk>', the unknown token",
                 token=repr(got[0]))
    if len(head) > 1 and got[:len(head)] != head:
        return _("the reserved tokens {reserved} should come right after '<unk>', in the given "
                 "order (indices 1 to {last}), before the tokens of the corpus",
                 reserved=head[1:], last=len(head) - 1)
    seen = Counter(got)
    twice = next((t for t in got if seen[t] > 1), None)
    if twice is not None:
        return _("{token} appears {count} times in the vocabulary: each token gets one index "
                 "(a reserved token, or '<unk>', found in the corpus is not added again)",
                 token=repr(twice), count=seen[twice])
    wanted = set(expected)
    extra = next((t for t in got if t not in wanted), None)
    if extra is not None:
        if counts.get(extra, 0) > 0:
            return _("{token} occurs {times}, fewer than min_freq={min_freq}: it should be "
                     "left out", token=repr(extra), times=_times(counts[extra]),
                     min_freq=min_freq)
        return _("{token} is not a token of the corpus (a 1-D list of tokens is used as it is; "
                 "only a list of lists is flattened)", token=repr(extra))
    have = set(got)
    missing = next((t for t in expected if t not in have), None)
    if missing is not None:
        if counts.get(missing, 0) == min_freq:
            return _("{token} (it occurs {times}, min_freq={min_freq}) is missing (a token "
                     "occurring exactly min_freq times is kept)", token=repr(missing),
                     times=_times(counts.get(missing, 0)), min_freq=min_freq)
        return _("{token} (it occurs {times}, min_freq={min_freq}) is missing",
                 token=repr(missing), times=_times(counts.get(missing, 0)), min_freq=min_freq)
    for i in range(len(head), len(got) - 1):
        a, b = got[i], got[i + 1]
        if counts.get(a, 0) < counts.get(b, 0):
            return _("{a} (index {i}, occurs {times_a}) comes before {b} (occurs {times_b}): "
                     "sort the tokens by decreasing frequency", a=repr(a), i=i,
                     times_a=_times(counts[a]), b=repr(b), times_b=_times(counts[b]))
    return _("the tokens are in the wrong order")


def _expect_strings(got, what="vocab.to_tokens(list_of_indices)"):
    """The student's tokens in index order must be a list of strings before anything else."""
    if not isinstance(got, list) or not all(isinstance(t, str) for t in got):
        raise Failure(_("{what} should give a list of tokens (strings)", what=what),
                      expected=_("a list of str"),
                      actual=values.describe_type(got) + f": {values.format_value(got)}")
    return got


def _expect_listing(got, expected, tokens, min_freq=0, reserved=None):
    """``got`` (the student's tokens in index order) equals ``expected`` up to ties."""
    _expect_strings(got)
    if got == expected:
        return
    counts = Counter(_flat(tokens))
    head = ["<unk>"] + list(reserved or [])
    if (len(got) == len(expected) and got[:len(head)] == expected[:len(head)]
            and sorted(got) == sorted(expected)
            and all(counts.get(g, 0) == counts.get(e, 0) for g, e in zip(got, expected))):
        return           # the same vocabulary, with tokens of equal frequency in another order
    raise Failure(_listing_problem(got, expected, counts, min_freq, head),
                  expected=values.format_value(expected), actual=values.format_value(got),
                  details=_("tokens are listed in index order; tokens of equal frequency may "
                            "come in any order"))


def _expect_indices(got, expected, queries, what):
    """Looked-up indices: a list of ints, one per query."""
    if not isinstance(got, list) or not all(type(i) is int for i in got):
        raise Failure(_("{what} should give a list of int indices", what=what),
                      expected=values.format_value(expected),
                      actual=values.describe_type(got) + f": {values.format_value(got)}")
    if got == expected:
        return
    if len(got) != len(expected):
        raise Failure(_("{what} gave {count} indices for {tokens} tokens", what=what,
                        count=len(got), tokens=len(queries)),
                      expected=values.format_value(expected), actual=values.format_value(got))
    i = next(i for i, (g, e) in enumerate(zip(got, expected)) if g != e)
    if expected[i] == 0:
        wrong = _("the index of {token} is {got}, expected {expected} (a token not in the "
                  "vocabulary maps to 0, the index of '<unk>')", token=repr(queries[i]),
                  got=got[i], expected=expected[i])
    else:
        wrong = _("the index of {token} is {got}, expected {expected}", token=repr(queries[i]),
                  got=got[i], expected=expected[i])
    raise Failure(wrong,
                  expected=values.format_value(expected), actual=values.format_value(got))


# A small corpus: 'the' 3 times, 'time' and 'traveller' twice, 'machine' and 'was' once.
CORPUS = [["the", "time", "machine"], [], ["the", "time", "traveller"], ["was", "the", "traveller"]]
# Without ties: 'the' 3 times, 'time' twice, 'machine' once.
NO_TIES = [["the", "time", "machine"], ["the", "time"], ["the"]]
ORDER_HINT = ("index 0 is '<unk>', then the reserved tokens, then the corpus's tokens sorted by "
              "decreasing frequency (count them with collections.Counter).")


@check("Vocab", hint=ORDER_HINT)
def test_small_example(student):
    """Vocab(tokens) of a small 2-D corpus: '<unk>' first, then the most frequent tokens"""
    got = student.run(vocab_tokens, CORPUS, 0, None)
    _expect_listing(got, ["<unk>", "the", "time", "traveller", "machine", "was"], CORPUS)


@check("Vocab", hint="'<unk>' has index 0, reserved_tokens[i] has index i + 1, then come the "
                     "corpus's tokens by decreasing frequency; __getitem__ returns 0 for a token "
                     "it does not know (token_to_idx.get(token, 0)) and maps a list to a list.")
def test_lookup_tokens(student):
    """vocab[token] gives the token's index (0 for an unknown token), vocab[list] a list of them"""
    queries = ["the", "machine", "<pad>", "dog", "The", "time"]
    expected = [2, 4, 1, 0, 0, 3]
    for as_list in (False, True):
        got = student.run(vocab_lookup, NO_TIES, ["<pad>"], queries, as_list)
        _expect_indices(got, expected, queries,
                        "vocab[queries]" if as_list else _("vocab[q] for each q"))


@check("Vocab", hint="to_tokens is the inverse of __getitem__: idx_to_token[index] for one "
                     "index, a list of tokens for a list of indices.")
def test_to_tokens_example(student):
    """vocab.to_tokens(index) gives the token at that index, to_tokens(list) a list of them"""
    indices = [2, 0, 4, 1]
    expected = ["the", "<unk>", "machine", "<pad>"]
    for as_list in (False, True):
        got = student.run(vocab_to_tokens, NO_TIES, ["<pad>"], indices, as_list)
        what = "vocab.to_tokens(indices)" if as_list else _("vocab.to_tokens(i) for each i")
        expect_equal(got, expected, what=what)


@check("Vocab", hint="idx_to_token starts as ['<unk>'] + reserved_tokens; the corpus's "
                     "tokens are appended after them.")
def test_reserved_tokens_follow_unk(student):
    """reserved_tokens=['<pad>', '<bos>', '<eos>'] get indices 1, 2, 3, right after '<unk>'"""
    reserved = ["<pad>", "<bos>", "<eos>"]
    got = student.run(vocab_tokens, CORPUS, 0, reserved)
    _expect_listing(got, ["<unk>", "<pad>", "<bos>", "<eos>", "the", "time", "traveller",
                          "machine", "was"], CORPUS, reserved=reserved)


@check("Vocab", hint="keep a token when its count is >= min_freq (a token occurring exactly "
                     "min_freq times stays); drop the rarer ones.")
def test_min_freq_drops_rare_tokens(student):
    """min_freq=2 drops the tokens seen once and keeps those seen twice"""
    got = student.run(vocab_tokens, CORPUS, 2, None)
    _expect_listing(got, ["<unk>", "the", "time", "traveller"], CORPUS, min_freq=2)


@check("Vocab", hint="flatten only a list of lists (isinstance(tokens[0], list)); a 1-D list "
                     "of tokens is counted as it is, not split into characters.")
def test_one_dimensional_tokens(student):
    """also takes a 1-D list of tokens (counted as it is)"""
    tokens = ["the", "cat", "the", "dog", "the", "cat"]
    got = student.run(vocab_tokens, tokens, 0, None)
    _expect_listing(got, ["<unk>", "the", "cat", "dog"], tokens)


WORDS = ("the", "time", "machine", "traveller", "a", "of", "i", "was")
RESERVED = ("<pad>", "<bos>", "<eos>", "<sep>")
UNKNOWN = ("dog", "The", "<mask>", "", "tim", "the ", "<pad>")


@st.composite
def corpora(draw, nested=None, empty=False):
    """A corpus of WORDS: a 2-D list (lines, some empty) or a 1-D list, at least one token;
    with ``empty``, also no token at all (``[]``, or only empty lines: the docstring allows
    it, and the vocabulary is then '<unk>' and the reserved tokens)."""
    lines = draw(st.lists(st.lists(st.sampled_from(WORDS), max_size=6), min_size=1,
                          max_size=4).filter(lambda ls: empty or any(ls)))
    if nested is None:
        nested = draw(st.booleans())
    return lines if nested else [token for line in lines for token in line]


# sampled_from, not st.lists: a few derandomized examples must cover every kind of reserved list
RESERVED_LISTS = st.sampled_from([None, ["<pad>"], [], ["<pad>", "<bos>", "<eos>"],
                                  ["<sep>", "<pad>"]])


def _reference_listing(reference, tokens, min_freq, reserved):
    kwargs = {} if reserved is None else {"reserved_tokens": list(reserved)}
    vocab = reference.Vocab([list(t) if isinstance(t, list) else t for t in tokens],
                            min_freq=min_freq, **kwargs)
    return vocab.to_tokens(list(range(len(vocab))))


@check("Vocab", hint=ORDER_HINT + " A token of count < min_freq is left out.")
@examples(14)
@given(tokens=corpora(empty=True), min_freq=st.integers(0, 3), reserved=RESERVED_LISTS)
@example(tokens=[], min_freq=0, reserved=["<pad>", "<bos>", "<eos>"])   # the special tokens only
def test_matches_reference(student, reference, tokens, min_freq, reserved):
    """has the reference's tokens in the reference's order (random corpora, min_freq, reserved)"""
    got = student.run(vocab_tokens, tokens, min_freq, reserved)
    _expect_listing(got, _reference_listing(reference, tokens, min_freq, reserved), tokens,
                    min_freq, reserved)


@check("Vocab", hint="sort the (token, count) pairs by count, largest first: "
                     "sorted(counter.items(), key=lambda x: x[1], reverse=True).")
@examples(10)
@given(tokens=corpora())
def test_frequency_order(student, tokens):
    """lists every token of the corpus once, after '<unk>', by decreasing frequency"""
    got = _expect_strings(student.run(vocab_tokens, tokens, 0, None))
    counts = Counter(_flat(tokens))
    # any listing in decreasing frequency is right: build the one closest to the student's
    rank = {t: i for i, t in enumerate(got)}
    expected = ["<unk>"] + sorted(counts, key=lambda t: (-counts[t], rank.get(t, len(got))))
    _expect_listing(got, expected, tokens)


@check("Vocab", hint="a token is kept exactly when its count is >= min_freq; a dropped token "
                     "is unknown, so vocab[token] is 0.")
@examples(10)
@given(tokens=corpora(), min_freq=st.integers(1, 4))
def test_min_freq_filtering(student, tokens, min_freq):
    """keeps exactly the tokens seen at least min_freq times; dropped ones map to 0"""
    counts = Counter(_flat(tokens))
    dropped = sorted(t for t in counts if counts[t] < min_freq)
    got = student.run(vocab_probe, tokens, min_freq, None, dropped, False)
    listed = _expect_strings(got["tokens"])
    rank = {t: i for i, t in enumerate(listed)}
    kept = sorted((t for t in counts if counts[t] >= min_freq),
                  key=lambda t: (-counts[t], rank.get(t, 0)))
    _expect_listing(listed, ["<unk>"] + kept, tokens, min_freq)
    _expect_indices(got["each"], [0] * len(dropped), dropped, _("vocab[q] for each dropped q"))


@check("Vocab", hint="idx_to_token starts as ['<unk>'] + reserved_tokens, so reserved_tokens[i] "
                     "has index i + 1 whatever the corpus.")
@examples(10)
@given(tokens=corpora(), reserved=st.lists(st.sampled_from(RESERVED), unique=True, min_size=1,
                                           max_size=4))
def test_reserved_tokens_property(student, tokens, reserved):
    """puts the reserved tokens at indices 1, 2, ... in the given order, for any corpus"""
    got = student.run(vocab_probe, tokens, 0, reserved, reserved, False)
    listed = _expect_strings(got["tokens"])
    head = ["<unk>"] + list(reserved)
    if listed[:len(head)] != head:
        raise Failure(_listing_problem(listed, head, Counter(_flat(tokens)), 0, head),
                      expected=_("{head} followed by the corpus's tokens",
                                 head=values.format_value(head)),
                      actual=values.format_value(listed))
    _expect_indices(got["each"], list(range(1, len(head))), reserved,
                    _("vocab[r] for each reserved token r"))


@check("Vocab", hint="__getitem__ returns 0, the index of '<unk>', for any token it does not "
                     "know (dict.get(token, 0)); it must not raise KeyError.")
@examples(10)
@given(tokens=corpora(), queries=st.lists(st.sampled_from(UNKNOWN), min_size=1, max_size=4))
def test_unknown_maps_to_zero(student, tokens, queries):
    """maps every token that is not in the vocabulary to 0, alone or in a list"""
    got = student.run(vocab_probe, tokens, 0, None, queries, True)
    zeros = [0] * len(queries)
    _expect_indices(got["each"], zeros, queries, _("vocab[q] for each unknown q"))
    _expect_indices(got["list"], zeros, queries, "vocab[queries]")


@check("Vocab", hint="to_tokens must undo __getitem__: both must use the same index for each "
                     "token (idx_to_token[token_to_idx[t]] == t).")
@examples(10)
@given(data=corpora().flatmap(lambda c: st.tuples(
    st.just(c), st.lists(st.sampled_from(sorted(set(_flat(c)))), max_size=8))))
def test_round_trip(student, data):
    """vocab.to_tokens(vocab[tokens]) gives back the tokens (min_freq=0, so all are known)"""
    tokens, sequence = data
    expect_equal(student.run(vocab_round_trip, tokens, sequence), list(sequence),
                 what="vocab.to_tokens(vocab[sequence])",
                 rationale=_("vocab.to_tokens(vocab[sequence]) does not give back the "
                             "sequence"))


@check("Vocab", hint="append each new token to idx_to_token and record token_to_idx[token] = "
                     "len(idx_to_token) - 1: indices are 0, 1, ..., len(vocab) - 1, one per token.")
@examples(10)
@given(tokens=corpora(empty=True), min_freq=st.integers(0, 2), reserved=RESERVED_LISTS)
def test_indices_are_a_bijection(student, tokens, min_freq, reserved):
    """indices are exactly 0 .. len(vocab) - 1, each one a different token"""
    got = student.run(vocab_index_of_each_token, tokens, min_freq, reserved)
    listed = _expect_strings(got["tokens"], _("vocab.to_tokens(i) for i in range(len(vocab))"))
    indices = got["indices"]
    if len(set(listed)) != len(listed):
        token = next(t for t in listed if listed.count(t) > 1)
        raise Failure(_("two indices hold the same token {token}", token=repr(token)),
                      expected=_("a different token at each index"),
                      actual=values.format_value(listed))
    _expect_indices(indices, list(range(len(listed))), listed,
                    _("vocab[vocab.to_tokens(i)] for i in range(len(vocab))"))


@check("Vocab", hint="add a corpus token only if it is not already in token_to_idx: "
                     "'<unk>' and the reserved tokens may also occur in the corpus.")
@examples(10)
@given(tokens=corpora(nested=True), position=st.integers(0, 3))
def test_special_tokens_in_corpus(student, reference, tokens, position):
    """a corpus containing '<unk>' and a reserved token does not list them twice"""
    tokens = [list(line) for line in tokens]
    line = tokens[position % len(tokens)]
    line[position % (len(line) + 1):position % (len(line) + 1)] = ["<unk>", "<eos>", "<eos>"]
    reserved = ["<pad>", "<eos>"]
    got = student.run(vocab_tokens, tokens, 0, reserved)
    _expect_listing(got, _reference_listing(reference, tokens, 0, reserved), tokens,
                    reserved=reserved)


@check("Vocab", hint="keep idx_to_token and token_to_idx on self (created in __init__), not on "
                     "the class; do not use a list default argument, and copy reserved_tokens "
                     "(['<unk>'] + reserved_tokens) instead of changing it.")
def test_instances_are_independent(student):
    """vocabularies built one after another do not share state, and reserved_tokens is unchanged"""
    # tokens that no other check uses: state left over from earlier checks shows up too
    got = student.run(two_vocabularies, [["tick", "tock"], ["tick"]],
                      [["ping", "pong"], ["ping", "pong", "ping"]], ["<pad>"])
    before = got["before"]
    if not isinstance(before, list) or sorted(map(str, before)) != ["<unk>", "tick", "tock"] \
            or not all(isinstance(t, str) for t in before):
        raise Failure(_("the first Vocab(tokens_a) does not hold exactly '<unk>' and the "
                        "tokens of tokens_a: it holds tokens of vocabularies built before it "
                        "(shared state)"),
                      expected=_("'<unk>', 'tick' and 'tock'"), actual=values.format_value(before))
    if got["first_after"] != before:
        raise Failure(_("building other vocabularies changed the tokens of the first one: the "
                        "vocabularies share their lists"), expected=values.format_value(got["before"]),
                      actual=values.format_value(got["first_after"]))
    if got["again"] != got["before"]:
        raise Failure(_("Vocab(tokens_a) built again, after other vocabularies, differs from "
                        "the first Vocab(tokens_a): some state is left over from earlier "
                        "vocabularies"),
                      expected=values.format_value(got["before"]),
                      actual=values.format_value(got["again"]))
    expect_equal(got["reserved_after"], ["<pad>"], what=_("reserved_tokens after building"),
                 rationale=_("Vocab changed the reserved_tokens list it was given"))


# --------------------------------------------------------------------------- truncate_pad
@scenario
def pad_and_look_at_line(line, num_steps, padding_token):
    """called truncate_pad(line, num_steps, padding_token) and looked at line afterwards"""
    mine = list(line)
    result = student.truncate_pad(mine, num_steps, padding_token)
    return {"result": result if isinstance(result, list) else None, "line_after": mine}


@check("truncate_pad", hint="append padding_token at the end until the line has num_steps "
                            "elements: line + [padding_token] * (num_steps - len(line)).")
def test_book_example(student):
    """pads the book's [47, 4] to 10 steps with the '<pad>' index 1"""
    expect_equal(student.truncate_pad([47, 4], 10, 1), [47, 4, 1, 1, 1, 1, 1, 1, 1, 1])


@check("truncate_pad", hint="a line longer than num_steps keeps its first num_steps elements: "
                            "line[:num_steps]; a line of exactly num_steps is unchanged.")
def test_truncates_long_lines(student):
    """cuts a long line to its first num_steps elements, leaves a line of num_steps as it is"""
    expect_equal(student.truncate_pad([5, 6, 7, 8, 9], 3, 0), [5, 6, 7])
    expect_equal(student.truncate_pad([5, 6, 7], 3, 0), [5, 6, 7])


@check("truncate_pad", hint="the result always has num_steps elements: truncate when the line "
                            "is longer, pad when it is shorter (also for an empty line or "
                            "num_steps = 0).")
@examples(20)
@given(line=st.lists(st.integers(0, 30), max_size=10), num_steps=st.integers(0, 12),
       padding_token=st.integers(0, 3))
def test_length_is_num_steps(student, line, num_steps, padding_token):
    """always returns a list of exactly num_steps elements"""
    got = student.truncate_pad(list(line), num_steps, padding_token)
    if not isinstance(got, list):
        raise Failure(_("truncate_pad should return a list"),
                      expected=_("a list of {count} ids", count=num_steps),
                      actual=values.describe_type(got))
    if len(got) != num_steps:
        raise Failure(_("the result does not have num_steps elements"),
                      expected=_("{count} element(s)", count=num_steps),
                      actual=_("{count} element(s): {value}", count=len(got),
                               value=values.format_value(got)))


@check("truncate_pad", hint="keep the beginning of the sentence (line[:num_steps]) and put the "
                            "padding at the end, using padding_token (not 0).")
@examples(20)
@given(line=st.lists(st.integers(4, 30), max_size=10), num_steps=st.integers(0, 12),
       padding_token=st.integers(0, 3))
def test_keeps_prefix_pads_at_end(student, reference, line, num_steps, padding_token):
    """keeps the line's first elements and pads at the end (as the reference does)"""
    got = student.truncate_pad(list(line), num_steps, padding_token)
    expect_equal(got, reference.truncate_pad(list(line), num_steps, padding_token),
                 rationale=_("the result is not line[:num_steps] followed by padding_token"))


@check("truncate_pad", hint="the docstring says line itself is left unchanged: build a new "
                            "list (line[:num_steps] + [padding_token] * ...).")
def test_does_not_modify_line(student):
    """leaves its argument line unchanged"""
    got = student.run(pad_and_look_at_line, [47, 4], 5, 1)
    if isinstance(got, dict) and got.get("line_after") != [47, 4]:
        raise Failure(_("truncate_pad changes the list it is given (line.append / line += "
                        "...): return a new list, the caller may still need line"),
                      expected=_("line == [47, 4] after the call"),
                      actual=f"line == {values.format_value(got.get('line_after'))}")
