"""LoRA rank sweep for chapter 10: validation accuracy, trainable parameters and adapter size against the rank r.

    .venv/bin/python benchmarks/lora_rank_sweep.py                    # the chapter's sweep (about 7 runs)
    .venv/bin/python benchmarks/lora_rank_sweep.py --ranks 1 8 --compare-targets   # quick: two runs, no comparison

Each run fine-tunes the packaged all-MiniLM-L6-v2 with ``course_utils.lora.fine_tune_lora`` (chapter 08's
loop) on the course corpus's training split, with the chapter's settings (learning rate, epochs, seed, and
alpha = 2·r so that the scale alpha/r is the same for every rank), and records the **validation** accuracy
after the last epoch: the test split is used once, in the chapter, for the configuration chosen there.

1. Ranks: every rank in ``--ranks`` (default 1 2 4 8 16) with the chapter's target modules.
2. Which matrices: every target set in ``--compare-targets`` at rank ``--compare-rank`` (default 8).

The results go to ``data/benchmarks/lora_rank_sweep.json`` (or ``--output``) with the exact command, the
machine (platform, processor, CPU count, load average, PyTorch version and device) and the date; chapter 10
plots them with ``course_utils.lora.load_rank_sweep`` and ``course_utils.plots.plot_rank_sweep``.
Seconds depend on the machine and on what else runs on it (the load averages are recorded for that reason);
accuracies and sizes do not. This is a script, not a test: ``make test`` never runs it.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_COMPARE = ("query,key,value",
                   "query,key,value,attention.output.dense,intermediate.dense,output.dense,pooler.dense")


def machine(device, jobs: int, threads: int) -> dict:
    import torch
    return {"jobs": jobs, "torch_threads_per_job": threads, "platform": platform.platform(), "processor": platform.processor() or platform.machine(),
            "cpu_count": os.cpu_count(), "torch": torch.__version__,
            "device": str(device), "gpu": torch.cuda.get_device_name(0) if device.type == "cuda" else None,
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()]}


def run(r: int, targets: tuple, args, device, threads: int) -> dict:
    import torch

    from course_utils import lora
    from course_utils.reviews import load_reviews
    torch.set_num_threads(threads)
    train, val = load_reviews("train"), load_reviews("validation")
    start = time.perf_counter()
    model, _, history = lora.fine_tune_lora(train, val, r=r, alpha=2 * r, target_modules=targets, epochs=args.epochs,
                                            lr=args.lr, seed=args.seed, device=device)
    seconds = time.perf_counter() - start
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    base = sum(p.numel() for n, p in model.get_base_model().named_parameters()
               if "lora_" not in n and "modules_to_save" not in n)
    with tempfile.TemporaryDirectory() as tmp:
        folder = lora.save_adapter(model, Path(tmp) / "adapter")
        adapter_bytes = (folder / lora.ADAPTER_WEIGHTS).stat().st_size
    row = {"r": r, "alpha": 2 * r, "target_modules": list(targets), "trainable_parameters": trainable,
           "trainable_share": trainable / base, "adapter_bytes": adapter_bytes,
           "val_accuracy": history["val_accuracy"][-1], "val_accuracy_per_epoch": history["val_accuracy"],
           "seconds": round(seconds, 1)}
    print(f"r={r:>2} {','.join(targets):<70} trainable {trainable:>8,} ({100 * row['trainable_share']:.2f}%)  "
          f"adapter {adapter_bytes / 1e3:7.1f} kB  val {row['val_accuracy']:.3f}  {seconds:.0f} s", flush=True)
    return row


def main(argv=None) -> int:
    from course_utils import lora
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ranks", type=int, nargs="+", default=[1, 2, 4, 8, 16])
    parser.add_argument("--compare-targets", nargs="*", default=list(DEFAULT_COMPARE),
                        help="comma-separated target sets to run at --compare-rank (none: skip)")
    parser.add_argument("--compare-rank", type=int, default=lora.RANK)
    parser.add_argument("--epochs", type=int, default=lora.EPOCHS)
    parser.add_argument("--lr", type=float, default=lora.LEARNING_RATE)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--device", default=None, help="cpu, cuda, ... (default: the best one here)")
    parser.add_argument("--jobs", type=int, default=1,
                        help="runs trained at the same time, in separate processes (the CPU threads are shared)")
    parser.add_argument("--output", type=Path, default=ROOT / "data" / Path(*lora.RANK_SWEEP_FILE))
    args = parser.parse_args(argv)
    if any(r < 1 for r in args.ranks + [args.compare_rank]):
        parser.error("ranks must be positive integers")
    if args.jobs < 1:
        parser.error("--jobs must be a positive integer")

    from course_utils.bert_classifier import _device
    device = _device(args.device)
    runs = [(r, lora.TARGET_MODULES) for r in args.ranks]
    runs += [(args.compare_rank, tuple(t.split(","))) for t in args.compare_targets
             if tuple(t.split(",")) != lora.TARGET_MODULES]
    threads = max(1, (os.cpu_count() or 1) // args.jobs)
    info = machine(device, args.jobs, threads)
    if args.jobs == 1:
        rows = [run(r, targets, args, device, threads) for r, targets in runs]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(args.jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(run, r, targets, args, device, threads) for r, targets in runs]
            rows = [f.result() for f in futures]
    info["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    command = "python benchmarks/lora_rank_sweep.py" + "".join(f" {shlex.quote(a)}" for a in (argv or sys.argv[1:]))
    result = {"command": command, "machine": info, "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "settings": {"epochs": args.epochs, "lr": args.lr, "alpha_over_r": 2, "seed": args.seed,
                           "dropout": lora.DROPOUT, "batch_size": lora.BATCH_SIZE, "checkpoint": lora.PACKAGED_BASE_NAME,
                           "default_targets": list(lora.TARGET_MODULES), "metric": "validation accuracy, last epoch",
                           "corpus": corpus_fingerprint()},
              "rows": rows}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".tmp")
    tmp.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    tmp.replace(args.output)
    print(f"wrote {args.output}")
    return 0


def corpus_fingerprint() -> dict:
    """Which corpus the sweep trained on: the SHA-256 of reviews.csv and the split sizes."""
    from course_utils.reviews import load_reviews, verify_checksums
    sizes = load_reviews()["split"].value_counts()
    return {"reviews_sha256": verify_checksums()["reviews.csv"], "train": int(sizes["train"]),
            "validation": int(sizes["validation"])}


if __name__ == "__main__":
    sys.exit(main())
