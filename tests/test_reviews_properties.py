"""Property-based tests (hypothesis) of course_utils.reviews.load_labelled_file, the labelled-file loader.

1. Round trip: whatever (text, label) rows Python's csv writer writes (quotes, commas, tabs, line
   breaks, non-ASCII), the loader reads back exactly, with or without a header, with labels spelled
   any accepted way.
2. Fuzz: any text made of the characters that matter to CSV (quotes, separators, line breaks, labels)
   is either read into a valid frame or refused with a ValueError, never a crash or another error,
   and a frame it returns holds non-empty texts and 0/1 labels.

The runs are derandomised (the same examples on every run, as CI needs) and keep no example database.
"""
import csv
import io
import re
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from course_utils.reviews import LABEL_ALIASES, load_labelled_file

SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow])

# Texts: any printable Unicode plus the characters CSV must quote; never blank (the loader refuses those).
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=40).filter(lambda t: t.strip())
spellings = {0: ["0", "negative", "NEG", " Negative "], 1: ["1", "positive", "Pos", "1.0"]}
label_cells = st.integers(0, 1).flatmap(lambda y: st.tuples(st.just(y), st.sampled_from(spellings[y])))
SUFFIX = {",": ".csv", "\t": ".tsv"}


def _swallows_a_row(text: str, delimiter: str) -> bool:
    """A multi-line text with an inner line ending in `<delimiter><label>`: the loader takes it for a stray
    quote that merged two rows (see load_labelled_file), so such texts are outside the round-trip property."""
    lines = re.split(r"\r\n|\r|\n", text)
    pattern = re.compile(re.escape(delimiter) + r"\s*(" + "|".join(map(re.escape, LABEL_ALIASES)) + r")\s*$", re.I)
    return any(pattern.search(line) for line in lines[:-1])


def _write_rows(rows, delimiter: str, header) -> Path:
    buffer = io.StringIO(newline="")
    # The csv module's default line ending, "\r\n", also makes it quote a text holding a bare "\r" (with "\n"
    # alone it would not, and any reader takes that "\r" for the end of a row).
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    folder = Path(tempfile.mkdtemp(prefix="labelled_"))
    path = folder / f"data{SUFFIX[delimiter]}"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


@SETTINGS
@given(rows=st.lists(st.tuples(texts, label_cells), min_size=1, max_size=8),
       delimiter=st.sampled_from([",", "\t"]),
       header=st.sampled_from([("text", "label"), ("label", "text"), ("Sentence", "Sentiment"), ("review", "labels")]))
def test_what_the_csv_writer_writes_is_read_back(rows, delimiter, header):
    assume(not any(_swallows_a_row(text, delimiter) for text, _ in rows))
    text_first = header[0].lower() in ("text", "sentence", "review")
    cells = [(text, spelled) if text_first else (spelled, text) for text, (_, spelled) in rows]
    df = load_labelled_file(_write_rows(cells, delimiter, header))
    assert df["text"].tolist() == [text for text, _ in rows]
    assert df["label"].tolist() == [y for _, (y, _) in rows]
    assert df["label"].dtype == "int64" and list(df.columns) == ["text", "label"]


@SETTINGS
@given(rows=st.lists(st.tuples(texts, label_cells), min_size=1, max_size=6), delimiter=st.sampled_from([",", "\t"]))
def test_a_headerless_two_column_file_is_read_as_text_then_label(rows, delimiter):
    assume(not any(_swallows_a_row(text, delimiter) for text, _ in rows))
    assume(rows[0][0].strip().lower() not in ("text", "sentence", "review"))
    df = load_labelled_file(_write_rows([(t, s) for t, (_, s) in rows], delimiter, None))
    assert df.to_dict("list") == {"text": [t for t, _ in rows], "label": [y for _, (y, _) in rows]}


@SETTINGS
@given(rows=st.lists(st.tuples(texts, st.integers(0, 1)), min_size=1, max_size=6))
def test_pandas_to_csv_round_trips(rows):
    """The file a learner most likely has: a DataFrame saved with to_csv(index=False)."""
    assume(not any(_swallows_a_row(text, ",") for text, _ in rows))
    frame = pd.DataFrame(rows, columns=["text", "label"])
    path = Path(tempfile.mkdtemp(prefix="labelled_")) / "frame.csv"
    frame.to_csv(path, index=False)
    assert load_labelled_file(path).equals(frame.astype({"label": "int64"}))


@SETTINGS
@given(body=st.lists(st.sampled_from(list('ab ,\t"\n\r01') + ["pos", "neg", "text", "label", "\ufeff"]),
                    max_size=30).map("".join),
       suffix=st.sampled_from([".csv", ".tsv"]))
def test_any_file_is_read_or_refused_with_a_clear_error(body, suffix):
    path = Path(tempfile.mkdtemp(prefix="labelled_")) / f"fuzz{suffix}"
    path.write_text(body, encoding="utf-8", newline="")
    try:
        df = load_labelled_file(path)
    except ValueError as exc:
        message = str(exc)
        assert message.startswith((f"fuzz{suffix}", "cannot")) and "\n" not in message.split(":")[0]
        return
    assert len(df) >= 1 and list(df.columns) == ["text", "label"]
    assert set(df["label"]) <= {0, 1} and all(t.strip() for t in df["text"])
