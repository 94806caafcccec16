# Generated from solutions/translation.py by `grade generate`: edit the code below, keep the names.
"""Machine translation (机器翻译): the data pipeline, from text lines to fixed-length id lists.

Text preprocessing in three steps (the book's "Text Preprocessing" and "Machine Translation
and the Dataset"):

1. ``tokenize``: split each line into tokens (words or characters);
2. ``Vocab``: map every token to an integer index, the most frequent tokens first, with
   ``'<unk>'`` (index 0) standing for every token the vocabulary does not know;
3. ``truncate_pad``: make every sequence of indices exactly ``num_steps`` long, so that a
   minibatch of sentences becomes one tensor.

Everything here is plain Python on lists: no tensors yet.
"""
import collections


def tokenize(lines, token='word'):
    """Split text lines into word or character tokens.

    lines: a list of strings (one line of text each).
    token: 'word' splits each line on whitespace (``str.split()``: runs of spaces, tabs or
        newlines separate words and never give empty tokens); 'char' splits it into its
        characters, spaces included.  Any other value is an error: raise ValueError.  (The
        book prints an error message and returns None instead; that is accepted too, but
        silently returning something is not.)

    Returns a list with one list of tokens (strings) per line, also for an empty line ([]).

    Example:
        >>> tokenize(['the time machine', '', 'by h g wells'])
        [['the', 'time', 'machine'], [], ['by', 'h', 'g', 'wells']]
        >>> tokenize(['to be'], 'char')
        [['t', 'o', ' ', 'b', 'e']]
    """
    # TODO: write your code here
    raise NotImplementedError


class Vocab:
    """A vocabulary: a two-way mapping between tokens (strings) and indices 0, 1, ..., n - 1.

    Vocab(tokens, min_freq=0, reserved_tokens=None)

    tokens: a 1-D list of tokens (``['a', 'b', 'a']``) or a 2-D list, one list per line
        (``[['a', 'b'], ['a']]``, what ``tokenize`` returns): a 2-D list is flattened first;
        occurrences are counted over the whole corpus.
    min_freq: tokens that occur fewer than ``min_freq`` times are left out (a token that occurs
        exactly ``min_freq`` times is kept).
    reserved_tokens: a list of special tokens, e.g. ``['<pad>', '<bos>', '<eos>']``; None means
        no reserved tokens.

    The indices, in order:
        0                          '<unk>', the unknown token;
        1 .. len(reserved_tokens)  the reserved tokens, in the given order;
        then                       the remaining tokens, most frequent first.  Tokens of equal
                                   frequency keep the order of their first appearance in the
                                   corpus (what a stable sort of ``collections.Counter(...)
                                   .items()`` by frequency gives, as in the book); the grader
                                   accepts any order among tokens of equal frequency.
    A token appears only once, even if it is reserved (or is '<unk>') and also in the corpus.

    len(vocab)                the number of tokens, '<unk>' and reserved tokens included;
    vocab[token]              its index; 0 (the index of '<unk>') for a token not in the
                              vocabulary;
    vocab[list_of_tokens]     the list of their indices;
    vocab.to_tokens(index)    the token at that index; for a list of indices, the list of tokens.
    vocab.unk                 0 (the book's property), and vocab.token_freqs, the
                              (token, count) pairs sorted by decreasing count (not graded).

    Example:
        >>> vocab = Vocab([['the', 'cat'], ['the', 'dog', 'the', 'cat']],
        ...               reserved_tokens=['<pad>'])
        >>> vocab.to_tokens(list(range(len(vocab))))
        ['<unk>', '<pad>', 'the', 'cat', 'dog']
        >>> vocab['cat'], vocab[['the', 'bird']], vocab.to_tokens(2)
        (3, [2, 0], 'the')
    """

    def __init__(self, tokens=None, min_freq=0, reserved_tokens=None):
        # TODO: write your code here
        raise NotImplementedError

    def __len__(self):
        """The number of tokens, '<unk>' and the reserved tokens included."""
        # TODO: write your code here
        raise NotImplementedError

    def __getitem__(self, tokens):
        """vocab[token] -> its index (0 if unknown); vocab[list_of_tokens] -> list of indices."""
        # TODO: write your code here
        raise NotImplementedError

    def to_tokens(self, indices):
        """to_tokens(index) -> the token at index; to_tokens(list_of_indices) -> list of tokens."""
        # TODO: write your code here
        raise NotImplementedError

    @property
    def unk(self):
        """The index of the unknown token '<unk>': 0."""
        return 0

    @property
    def token_freqs(self):
        """The (token, count) pairs of the corpus, by decreasing count (optional, not graded)."""
        # TODO: write your code here
        raise NotImplementedError


def truncate_pad(line, num_steps, padding_token):
    """Truncate or pad a sequence of token indices to exactly ``num_steps`` elements.

    line: a list of token indices (ints), e.g. ``vocab[tokens]``.
    num_steps: the length of the result (an int >= 0).
    padding_token: the value appended to short lines (usually ``vocab['<pad>']``).

    Returns a new list of length ``num_steps``: the first ``num_steps`` elements of ``line``
    when it is longer; otherwise ``line`` followed by as many ``padding_token`` as needed.
    The beginning of a sentence is kept, and padding goes at the end.  ``line`` itself is
    left unchanged.

    Example:
        >>> truncate_pad([47, 4], 5, 1)
        [47, 4, 1, 1, 1]
        >>> truncate_pad([5, 6, 7, 8], 3, 1)
        [5, 6, 7]
    """
    # TODO: write your code here
    raise NotImplementedError
