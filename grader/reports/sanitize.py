"""Making what a submission controls safe before a person (or a spreadsheet) sees it.

Everything a student controls reaches people: exception messages and type names, reprs of
returned values, printed output, function names, folder and file names (the student's id in
``grade batch``).  Every report goes through this one module (text, Markdown, HTML, CSV, JSON,
JUnit XML, the batch progress lines), so that one rule holds everywhere:

- **Control characters are shown, never obeyed.**  C0/C1 controls (ESC and so every
  ANSI/CSI/OSC sequence: colour, cursor moves, window title, clipboard), DEL, NUL, lone
  surrogates, non-characters and the bidirectional overrides and isolates (U+202A-U+202E,
  U+2066-U+2069, which reorder what a reader sees) become visible escapes such as ``\\x1b`` or
  ``\\u202e``.  Newlines and tabs stay in multi-line text (:func:`clean`), and become ``\\n``
  in one-line contexts (:func:`one_line`: names, table cells, progress lines), so a name can
  never forge a line of output.  This holds whether or not the output is a terminal.
- **Sizes are capped.**  :func:`cap` keeps the start of a string and says how much was cut:
  names at :data:`NAME_LIMIT`, messages at :data:`MESSAGE_LIMIT`, feedback fields (calls,
  reprs, printed output) at :data:`FIELD_LIMIT` characters.
- **Each format gets its own escaping on top**: :func:`csv_cell` (no formula injection),
  :func:`markdown_inline` (no HTML, images, links or table breaks), :func:`xml_text`
  (well-formed XML 1.0).  HTML pages escape through Jinja2's autoescaping, after :func:`clean`.
"""
from __future__ import annotations

import re

NAME_LIMIT = 200            # a student id, a type or function name, a check name
MESSAGE_LIMIT = 2_000       # a check's or an exercise's message
FIELD_LIMIT = 20_000        # one feedback field: a call, a repr, printed output

# C0 controls but \t and \n, DEL, C1 controls; bidi embeddings/overrides/isolates and marks;
# lone surrogates; the non-characters U+FFFE/U+FFFF (not allowed in XML).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                      "\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029"
                               "\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def text(value) -> str:
    """``value`` as a string (``None`` -> ``""``); anything that is not text is ``str()``-ed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return str(value)
    except Exception:       # an object whose __str__ raises: its type says enough
        return f"<{type(value).__name__}>"


def cap(value, limit: int) -> str:
    """At most ``limit`` characters: the start, then ``… (N more characters)``.  Capping
    twice changes nothing."""
    value = text(value)
    if len(value) <= limit:
        return value
    keep = max(limit - 40, limit // 2)
    return value[:keep] + f"… ({len(value) - keep:,} more characters)"


def clean(value, limit: int | None = FIELD_LIMIT) -> str:
    """Multi-line text made safe to print: control characters escaped (newlines and tabs
    kept; ``\\r`` escaped, so nothing overwrites a line), capped at ``limit`` characters."""
    value = _CONTROL.sub(_escape, text(value))
    return value if limit is None else cap(value, limit)


def one_line(value, limit: int | None = NAME_LIMIT) -> str:
    """Text made safe to print on one line: like :func:`clean`, and line breaks escaped."""
    value = _CONTROL_ONE_LINE.sub(_escape, text(value))
    return value if limit is None else cap(value, limit)


def is_clean(value: str) -> bool:
    """True when printing ``value`` obeys no control character (newlines and tabs allowed)."""
    return _CONTROL.search(value) is None


# --------------------------------------------------------------------------------- formats

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|", "%")


def csv_cell(value, limit: int = MESSAGE_LIMIT):
    """A CSV cell a spreadsheet shows as text, never evaluates: a string starting with one of
    ``= + - @ | %`` (or a tab or line break) gets a leading ``'``, the OWASP rule for formula
    injection (``=HYPERLINK(...)`` as a folder name).  Numbers pass unchanged."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    value = one_line(value, limit)
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value


_PLAIN_MARKDOWN = re.compile(r"[^\W\d_][^\W_]*(?:[ ,;:'%()=+/.-]+[^\W_]+)*[.:)]?")


def markdown_inline(value, limit: int = 500) -> str:
    """Text for one Markdown line or table cell (GitHub Flavoured Markdown, as in a job
    summary) that renders as exactly that text: no HTML, images, links, emphasis or table
    breaks.  Plain words stay plain; anything else becomes a code span (in which GitHub
    renders neither HTML nor links), with ``|`` escaped for tables."""
    value = one_line(value, limit)
    if not value:
        return ""
    lowered = value.casefold()
    if _PLAIN_MARKDOWN.fullmatch(value) and "www." not in lowered and "://" not in lowered:
        return value
    longest = max((len(run) for run in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {value.replace('|', chr(92) + '|')} {fence}"


def xml_text(value, limit: int = FIELD_LIMIT) -> str:
    """Text that ElementTree writes as well-formed XML 1.0 (no NUL, ESC or other controls;
    newlines and tabs kept)."""
    return clean(value, limit)


# ------------------------------------------------------------------------------ file names

_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
             *(f"lpt{i}" for i in range(10))}


def file_stem(student) -> str:
    """A readable, portable file name (no extension) for a student id.

    Letters and digits of any script are kept (``"李伟"`` -> ``李伟``), anything else becomes
    ``-``, and the result is lower case and at most 60 characters.  When that loses anything
    (``"Zoë O'Brien"`` -> ``zoë-o-brien-<8 hex>``) a hash of the exact id is appended, so ids
    that look alike stay apart, also on case-insensitive file systems.
    """
    import hashlib
    import unicodedata
    student = text(student)
    normal = unicodedata.normalize("NFC", student)
    slug = re.sub(r"[^\w]+", "-", normal).strip("-_").casefold()
    slug = unicodedata.normalize("NFC", slug)[:60].strip("-_")
    if slug and slug == student and slug not in _RESERVED:
        return slug
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{slug}-{digest}" if slug else f"student-{digest}"


def file_stems(students) -> list[str]:
    """:func:`file_stem` of each id, made unique in the list (case-insensitively): a stem
    already taken gets ``-2``, ``-3``... in the order given."""
    used: set[str] = set()
    stems = []
    for student in students:
        stem = base = file_stem(student)
        n = 1
        while stem.casefold() in used:
            n += 1
            stem = f"{base}-{n}"
        used.add(stem.casefold())
        stems.append(stem)
    return stems


def clean_tree(value, limit: int = FIELD_LIMIT, depth: int = 0):
    """A JSON-like value (a result read back from a gradebook or an imported file) with
    every string cleaned and capped (:func:`clean`; keys: :func:`one_line`); nesting below
    depth 32 is dropped."""
    if isinstance(value, str):
        return clean(value, limit)
    if depth > 32:
        return None
    if isinstance(value, dict):
        return {one_line(k, NAME_LIMIT): clean_tree(v, limit, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean_tree(v, limit, depth + 1) for v in value]
    return value
