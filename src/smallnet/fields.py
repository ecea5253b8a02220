"""A field's text: the spellings of "missing", plain numbers (and why a text is none), and column
names in messages. `smallnet.csvdata` reads files by these rules; `columns` types by them too.
"""

import functools
import math
import re

import numpy as np

# Spellings of "no value" that spreadsheets, R, pandas and the UCI repository's files write.
MISSING_MARKERS = ("NA", "N/A", "NaN", "null", "None", "?")
NOT_FINITE = ("inf", "infinity")  # float() reads them; a table of data should not hold them
# ASCII digits, an optional point and exponent; float() also takes 1_000 and full-width digits
PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
PLAIN_CHARACTERS = re.compile(r"[0-9eE+.\-\x00]*")  # of plain numbers, and "\x00" between them
# 1,000 and 12,345.5, not 3,5 or 0,500
THOUSANDS = re.compile(r"[+-]?[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]*)?")


def missing_words(markers=MISSING_MARKERS):
    """What counts as missing, in words."""
    return (
        f"empty fields and {', '.join(markers)} count as missing"
        if markers
        else ("empty fields count as missing")
    )


def missing_set(markers=MISSING_MARKERS):
    """The fields that count as missing for `markers` (matched in any case), and ""."""
    return _missing_set(tuple(markers))


@functools.lru_cache(maxsize=16)  # asked once per field: `parse_number` of every target value
def _missing_set(markers):
    return frozenset({"", *(marker.strip().lower() for marker in markers)})


def quoted(names):
    """Column names quoted, as they may hold commas: "'a', 'b, c'".

    A long list is cut (see `join`).
    """
    return join(map(repr, names))


def join(texts, head=6, tail=3):
    """Texts joined by ", "; a long list shows its first and last few and the count.

    For example: "a, b, ..., z (40 in all)".
    """
    texts = list(texts)
    if len(texts) <= head + tail + 1:
        return ", ".join(texts)
    return ", ".join([*texts[:head], "...", *texts[-tail:]]) + f" ({len(texts)} in all)"


def parse_number(text, markers=MISSING_MARKERS):
    """float(text), or a ValueError saying why not.

    Why not: missing (empty, one of `markers`, None), not a number, NaN or infinite, too large.
    Only plain decimal numbers (ASCII digits, a point, an exponent) are numbers.
    """
    if text is None:
        raise ValueError("missing value")
    text = text.strip()
    if not text:
        raise ValueError("missing value")
    if text.lower() in missing_set(markers):
        raise ValueError(f"missing value ({text!r}; {missing_words(markers)})")
    if not PLAIN_NUMBER.fullmatch(text):
        if text.lower().lstrip("+-") in (*NOT_FINITE, "nan"):
            raise ValueError(f"{text!r}: NaN and infinity are not allowed")
        if THOUSANDS.fullmatch(text):  # before the decimal comma: 1,000 is not 1.000
            raise ValueError(
                f"{text!r} is not a number "
                f"(remove the thousands separator: {text.replace(',', '')})"
            )
        if PLAIN_NUMBER.fullmatch(text.replace(",", ".")):
            raise ValueError(f"{text!r} is not a number (use a decimal point)")
        if _is_float(text):  # 1_000, full-width digits: Python reads them, other programs don't
            raise ValueError(
                f"{text!r} is not a plain number (write ASCII digits only, like 1000 or 2.5)"
            )
        raise ValueError(f"{text!r} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is too large for a float")
    return value


def plain_numbers(texts):
    """`texts` (str or None, shape (n,)) as float64 with NaN for None, if every text is a plain
    finite number (see `parse_number`); else None. One pass in C: ask `parse_number` why not.
    """
    values = np.asarray(texts, dtype=object)
    present = values[values != None]  # noqa: E711 (elementwise)
    try:
        # float() reads these characters as parse_number does; it also takes 1_000, inf, nan
        if not PLAIN_CHARACTERS.fullmatch("\x00".join(present)):
            return None
        numbers = values.astype(np.float64)  # None is NaN
    except (TypeError, ValueError):  # not all text, or not all numbers
        return None
    return numbers if np.isfinite(numbers).sum() == present.size else None


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True
