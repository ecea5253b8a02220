"""Where a CSV file's records are: the line each starts on and its fields, found again only when
an error has to name a line (pandas, which parses the file, counts rows, not lines).
"""

import csv
import io
import sys


def decode(path, raw, complete=True, offset=0, lines_before=0):
    """`raw` bytes as text (a byte-order mark dropped); not UTF-8 is an error naming the line.
    Unless `complete`, a character cut at the end is dropped."""
    try:
        return raw.decode("utf-8-sig" if offset == 0 else "utf-8")
    except UnicodeDecodeError as exc:
        if not complete and exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return raw[: exc.start].decode("utf-8-sig")
        line = lines_before + raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"{path}, line {line}: not UTF-8 text (byte {raw[exc.start]:#04x})"
        ) from None


def check_widths(path, source, delimiter, frame, width):
    """pandas fills a short row's last fields with NaN: where the last column is missing,
    refuse a row with fewer fields than the header."""
    if not frame.iloc[:, -1].isna().any():
        return
    lines, widths = record_lines(source, delimiter)
    for line, n in zip(lines, widths):
        if n < width:
            raise ValueError(f"{path}, line {line}: {n} fields, but the header has {width}")


def raise_ragged(path, source, delimiter, width):
    """Refuse the first record whose number of fields is not `width`, naming its line."""
    lines, widths = record_lines(source, delimiter)
    for line, n in zip(lines, widths):
        if n != width:
            raise ValueError(f"{path}, line {line}: {n} fields, but the header has {width}")


def raise_not_utf8(path, source):
    """Refuse the first bytes that are not UTF-8, naming their line."""
    stream = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with stream:
        offset = lines = 0
        while chunk := stream.read(1 << 20):
            chunk += stream.readline()  # to the line's end: no character cut in two
            decode(path, chunk, offset=offset, lines_before=lines)
            offset, lines = offset + len(chunk), lines + chunk.count(b"\n")


def record_lines(source, delimiter):
    """([the line each data record starts on], [its number of fields]), the header excluded."""
    if isinstance(source, bytes):
        raw = source
    else:
        with open(source, "rb") as f:
            raw = f.read()
    text = raw.decode("utf-8-sig", errors="replace")
    try:
        previous = csv.field_size_limit(sys.maxsize)
    except OverflowError:  # where a C long has 32 bits (Windows)
        previous = csv.field_size_limit(2**31 - 1)
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        lines, widths, line = [], [], 1
        for fields in reader:
            if not blank(fields):
                lines.append(line)
                widths.append(len(fields))
            line = reader.line_num + 1  # the next record starts after this one's last line
    except csv.Error:
        pass
    finally:
        csv.field_size_limit(previous)  # as it was, for other code in the process
    return lines[1:], widths[1:]


def blank(fields):
    """A record of nothing but spaces (skipped, as pandas skips it)."""
    return not fields or (len(fields) == 1 and not fields[0].strip())
