"""The full scaling sweep of chapter 12: a family of chapter 11's GPTs trained on one token budget.

    make bench-scaling                                    # the sweep the chapter plots (about 15 min on 2 idle cores)
    .venv/bin/python benchmarks/bench_scaling.py --d-models 8 16 32 --steps 100 --out /tmp/sweep.json   # quick

Each model is a 2-layer GPT of width ``d_model`` (heads of 16 dimensions) on tiny Shakespeare's characters, seeded
alike, trained with chapter 11's recipe (AdamW, warm-up + cosine decay, clipping) on the same batches for
``--steps`` steps of ``--batch-size`` windows of 64 characters, then evaluated on the whole validation split.
The results go to ``data/scaling/sweep.json`` (or ``--out``) with what produced them: the command, the machine,
the date, the versions and the budget. Chapter 12 fits a power law to them beside its own, smaller live sweep;
``tests/test_scaling.py`` checks the file's shape and provenance. Losses are deterministic for a given machine
and PyTorch build; ``train_seconds`` depend on what else the machine was doing.
This is a script, not a test: ``make test`` never runs it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_WIDTHS = [8, 16, 24, 32, 48, 64, 96, 128, 192, 256]


def machine() -> dict:
    """The hardware and software that produced the numbers (no host or user names)."""
    import torch
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    except OSError:
        pass
    return {"cpu": cpu, "cpu_cores": os.cpu_count(), "torch_threads": torch.get_num_threads(),
            "device": "cpu", "os": f"{platform.system()} {platform.machine()}",
            "python": platform.python_version(), "torch": torch.__version__.split("+")[0],
            "load_average_at_start": round(os.getloadavg()[0], 1) if hasattr(os, "getloadavg") else None}


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--d-models", type=int, nargs="+", default=DEFAULT_WIDTHS, help="widths, increasing")
    parser.add_argument("--n-layers", type=int, default=2)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=1,
                        help="PyTorch CPU threads (models this small gain nothing from more; 1 is reproducible)")
    parser.add_argument("--out", type=Path, default=None, help="default: data/scaling/sweep.json")
    args = parser.parse_args(argv)
    if args.steps < 20 or args.batch_size < 1 or args.lr <= 0:
        parser.error("need --steps >= 20, --batch-size >= 1 and --lr > 0")

    import torch

    from course_utils.config import data_dir
    from course_utils.gpt import load_shakespeare, split_train_val
    from course_utils.scaling import SWEEP_FILE, family_configs, train_family
    from course_utils.tokenization import CharTokenizer
    if args.threads < 1:
        parser.error("--threads must be at least 1")
    torch.set_num_threads(args.threads)
    configs = family_configs(args.d_models, n_layers=args.n_layers)        # rejects bad widths before any work
    out = args.out or data_dir() / SWEEP_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    text = load_shakespeare()
    train, val = split_train_val(torch.tensor(CharTokenizer(text).encode(text)))
    n_ctx = configs[0].n_ctx
    record = {
        "description": "Validation loss (nats per character, whole validation split of tiny Shakespeare) of "
                       f"{args.n_layers}-layer character-level GPTs of increasing width, each trained on the same "
                       f"{args.steps * args.batch_size * n_ctx:,} tokens; written by benchmarks/bench_scaling.py.",
        "command": shlex.join(["python", "benchmarks/bench_scaling.py", *(sys.argv[1:] if argv is None else argv)]),
        "machine": machine(),
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "git_commit": git_commit(),
        "budget": {"steps": args.steps, "batch_size": args.batch_size, "n_ctx": n_ctx, "lr": args.lr,
                   "seed": args.seed, "tokens": args.steps * args.batch_size * n_ctx, "eval": "whole validation split"},
        "runs": [],
    }
    print(f"{len(configs)} models, {record['budget']['tokens']:,} tokens each; writing {out}", flush=True)
    start = time.perf_counter()
    for config in configs:
        row = train_family([config], train, val, steps=args.steps, batch_size=args.batch_size, lr=args.lr,
                           seed=args.seed, eval_windows=None, threads=args.threads)[0]
        record["runs"].append(row)
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        tmp.replace(out)                                       # the file is complete after every model
        print(f"d_model={row['d_model']:>4}  params={row['n_params']:>9,}  val_loss={row['val_loss']:.4f}  "
              f"{row['train_seconds']:.0f} s", flush=True)
    print(f"done in {time.perf_counter() - start:.0f} s: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
