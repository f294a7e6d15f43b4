"""Throughput and peak memory of the evaluation command (``python -m course_utils.evaluate``).

    .venv/bin/python benchmarks/bench_evaluate.py                      # the issue-9 targets, about 5 minutes
    .venv/bin/python benchmarks/bench_evaluate.py --lstm-rows 5000 --bert-rows 500 --memory-rows 20000   # quick

What it measures, on review-length texts drawn from the course corpus (sampled with replacement):

1. LSTM texts/s: ``keras_text_proba`` on the chapter 06 model, already loaded (target >= 2,000 texts/s
   on a 2-core CPU), for each batch size in ``--batch-sizes`` (the default batch size is marked).
2. BERT-family texts/s: ``hf_text_proba`` on the chapter 08 model, already loaded, on the CPU
   (target >= 150 texts/s on a 2-core CPU).
3. The whole command, as a learner runs it, on a CSV of ``--memory-rows`` rows (default 200,000) with
   the LSTM: wall time and peak resident memory of that process (target < 2 GB).

The models are ``models/lstm_sentiment.keras`` and ``models/bert_sentiment`` (or ``--lstm`` / ``--bert``);
chapter 06 and chapter 08 create them (or ``load_or_train_lstm()`` / ``load_or_train_bert()``). Timings
depend on the machine and on what else runs on it: compare runs made on the same, otherwise idle machine.
This is a script, not a test: ``make test`` never runs it.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LSTM_TARGET, BERT_TARGET, MEMORY_TARGET_GB = 2_000, 150, 2.0
_PEAK_WRAPPER = ("import resource, subprocess, sys; rc = subprocess.call(sys.argv[1:]); "
                 "print('peak-rss-kib', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
                 "sys.exit(rc)")


def review_texts(n: int, seed: int = 0) -> tuple[list[str], list[int]]:
    import numpy as np

    from course_utils.reviews import load_reviews
    corpus = load_reviews()
    pick = np.random.default_rng(seed).integers(0, len(corpus), n)
    return corpus["text"].to_numpy()[pick].tolist(), corpus["label"].to_numpy()[pick].tolist()


def rate(fn, texts) -> tuple[float, float]:
    """(texts per wall-clock second, texts per CPU-second of this process, all its threads together).

    On a shared machine the wall-clock rate falls with the load; the CPU rate much less, and
    ``cores x`` it bounds what an idle machine of that many cores would do."""
    start, cpu = time.perf_counter(), time.process_time()
    fn(texts)
    return len(texts) / (time.perf_counter() - start), len(texts) / (time.process_time() - cpu)


def verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    ok = value >= target if higher_is_better else value < target
    return "meets the target" if ok else "MISSES the target"


def bench_lstm(path: Path, rows: int, batch_sizes: list[int]) -> None:
    from course_utils.evaluate import _COMPILE_MIN_TEXTS, DEFAULT_BATCH_SIZE, keras_text_proba
    from course_utils.lstm_classifier import load_lstm
    model = load_lstm(path)
    texts, _ = review_texts(max(rows, _COMPILE_MIN_TEXTS))   # what the command does with a long file
    keras_text_proba(model, texts[:_COMPILE_MIN_TEXTS])      # warm-up: compile (trace) the model once
    for bs in batch_sizes:
        r, per_cpu = rate(lambda t: keras_text_proba(model, t, batch_size=bs), texts)
        mark = " (default)" if bs == DEFAULT_BATCH_SIZE else ""
        print(f"LSTM  batch {bs:>5}{mark:<10} {r:>9,.0f} texts/s ({per_cpu:,.0f} per CPU-second)   "
              f"target >= {LSTM_TARGET:,}: {verdict(r, LSTM_TARGET)}")


def bench_bert(path: Path, rows: int, batch_sizes: list[int]) -> None:
    import torch

    from course_utils.evaluate import DEFAULT_BATCH_SIZE, _load_hf, hf_text_proba
    model, tokenizer = _load_hf(path)
    model.to("cpu")
    texts, _ = review_texts(rows, seed=1)
    hf_text_proba(model, tokenizer, texts[:64])              # warm-up
    print(f"BERT  {type(model).__name__}, {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters, "
          f"CPU with {torch.get_num_threads()} threads")
    for bs in batch_sizes:
        r, per_cpu = rate(lambda t: hf_text_proba(model, tokenizer, t, batch_size=bs), texts)
        mark = " (default)" if bs == DEFAULT_BATCH_SIZE else ""
        print(f"BERT  batch {bs:>5}{mark:<10} {r:>9,.0f} texts/s ({per_cpu:,.0f} per CPU-second)   "
              f"target >= {BERT_TARGET:,}: {verdict(r, BERT_TARGET)}")


def bench_command(model: Path, rows: int) -> None:
    """Run the command in a fresh process; print its wall time and peak memory (Linux: ru_maxrss)."""
    import pandas as pd
    texts, labels = review_texts(rows, seed=2)
    with tempfile.TemporaryDirectory(prefix="bench_evaluate_") as folder:
        data = Path(folder) / "reviews.csv"
        pd.DataFrame({"text": texts, "label": labels}).to_csv(data, index=False)
        command = [sys.executable, "-m", "course_utils.evaluate", str(model), str(data), "--quiet"]
        start = time.perf_counter()
        # Through a small wrapper process: a child's peak memory (ru_maxrss) counts what its parent held when it
        # was started, and this process holds TensorFlow and both models by now.
        done = subprocess.run([sys.executable, "-c", _PEAK_WRAPPER, *command], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
        seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"the command failed ({done.returncode}):\n{done.stderr[-2000:]}")
    peak_kib = int(done.stderr.strip().splitlines()[-1].removeprefix("peak-rss-kib "))
    peak_gb = peak_kib * 1024 / 1e9                                                  # Linux: ru_maxrss in KiB
    accuracy = next(line for line in done.stdout.splitlines() if line.startswith("accuracy:"))
    print(f"command on {rows:,} rows ({model.name}): {seconds:,.1f} s end to end including start-up, "
          f"{rows / seconds:,.0f} texts/s; {accuracy}")
    print(f"command peak memory: {peak_gb:.2f} GB   target < {MEMORY_TARGET_GB:g} GB: "
          f"{verdict(peak_gb, MEMORY_TARGET_GB, higher_is_better=False)}")


def main(argv=None) -> int:
    from course_utils.bert_classifier import default_folder
    from course_utils.lstm_classifier import default_model_path

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lstm", type=Path, default=default_model_path(), help="the chapter 06 .keras model")
    parser.add_argument("--bert", type=Path, default=default_folder(), help="the chapter 08 model folder")
    parser.add_argument("--lstm-rows", type=int, default=20_000, help="texts for the LSTM throughput")
    parser.add_argument("--bert-rows", type=int, default=2_000, help="texts for the BERT throughput")
    parser.add_argument("--memory-rows", type=int, default=200_000, help="rows for the whole command (0: skip)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[32, 256, 1024])
    parser.add_argument("--skip", choices=["lstm", "bert"], action="append", default=[])
    args = parser.parse_args(argv)
    missing = {"lstm": (args.lstm, "run chapter 06, or: python -c 'from course_utils.lstm_classifier import "
                                   "load_or_train_lstm; load_or_train_lstm()'"),
               "bert": (args.bert, "run chapter 08, or: python -c 'from course_utils.bert_classifier import "
                                   "load_or_train_bert; load_or_train_bert()'")}
    for kind, (path, how) in missing.items():
        if kind not in args.skip and not path.exists():
            parser.error(f"{path} does not exist: {how} (or pass --{kind} PATH, or --skip {kind})")
    print(f"machine: {os.cpu_count()} CPU cores, load average {os.getloadavg()[0]:.1f} (timings need an idle machine)")
    if "lstm" not in args.skip:
        bench_lstm(args.lstm, args.lstm_rows, args.batch_sizes)
    if "bert" not in args.skip:
        bench_bert(args.bert, args.bert_rows, args.batch_sizes)
    if args.memory_rows and "lstm" not in args.skip:
        bench_command(args.lstm, args.memory_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
