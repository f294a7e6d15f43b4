"""Chapter 11's GPT recipe against nanoGPT's CPU recipe: wall time to a validation loss of 1.88, loss at equal time.

    .venv/bin/python benchmarks/bench_gpt.py                  # both recipes, alternating; 4 to 5 minutes, idle CPU
    .venv/bin/python benchmarks/bench_gpt.py --ablations      # also the steps in between (the table below)
    make bench-gpt

Both recipes are trained by the same code (``course_utils.gpt``: the model, batches, AdamW with decay on the
matrices, warm-up + cosine to 10 %, clipping at 1.0) on the same machine **in one process, alternating**: 20 steps
of one, then 20 of the other, each with its own clock. Whatever else runs on the machine slows both alike, so the
comparison holds on a shared machine; each clock counts that recipe's training steps only (evaluations are
paused out of it, since how often one evaluates is a choice of the benchmark, not of the recipe).

nanoGPT's CPU recipe is re-implemented from its published settings: ``config/train_shakespeare_char.py`` adjusted by
its README's CPU command line (``--device=cpu --compile=False --eval_iters=20 --log_interval=1 --block_size=64
--batch_size=12 --n_layer=4 --n_head=4 --n_embd=128 --max_iters=2000 --lr_decay_iters=2000 --dropout=0.0``), and
train.py's defaults: learning rate 1e-3 to a minimum of 1e-4, beta2 0.99, 100 warm-up steps, weight decay 0.1,
gradient clipping 1.0. Differences from nanoGPT's own code, all small: its linear layers and LayerNorms have no
biases (``bias=False``), its warm-up starts at lr/101 instead of 0, it reads batches from a memory-mapped file. Its
README documents about 3 minutes on a laptop CPU for a validation loss of 1.88. For calibration, nanoGPT's own
code with that recipe took 2 min 55 s of wall time on the course's reference machine (2 cores), with the course's
PyTorch, for its 2,000 iterations, and ended at 1.886 (its estimate from 20 batches).

The validation loss is the same function for both: the mean next-character cross-entropy over ``--eval-windows``
windows of the model's context, spread evenly over the whole validation split (nanoGPT's split: the last 10 % of
the characters), in nats per character; at the end, over every window of the split. A model's windows have its own
context length (as in nanoGPT), so each position is predicted from 0 to n_ctx − 1 earlier characters.

What each change buys. Each recipe trained on its own, one PyTorch thread, timed in CPU seconds of training (process
time, which a loaded machine inflates much less than wall time; the course's machine had about seven other jobs on
its two cores), each scheduled (warm-up + cosine) over its own number of steps; validation loss on 200 windows every
100 steps; "to 1.88" is the first of those evaluations at or below 1.88. All: 4 heads, AdamW betas (0.9, 0.99),
weight decay 0.1, clipping 1.0, the same seed. ``--ablations`` re-runs the rows marked *, alternating.

    recipe                                              steps  tokens  CPU s  final (whole split)  CPU s to 1.88
    nanoGPT: 4 × 128, context 64, batch 12, lr 1e-3      2000   1.54M    129     1.891 (1.891)      not reached
  * nanoGPT's shape, lr 3e-3, 1000 steps                 1000   0.77M     64     1.942 (1.940)      not reached
  * width 64, batch 32 (2,048 tokens a step), lr 4e-3    1200   2.46M     70     1.861 (1.861)      64 (step 1100)
  * width 64, batch 32, lr 8e-3                          1200   2.46M     69     1.790 (1.795)      52 (step 900)
  * width 64, batch 32, lr 1.2e-2                        1200   2.46M     70     1.788 (1.789)      51 (step 900)
    width 64, batch 32, lr 1.6e-2                        1200   2.46M     69     1.782 (1.785)      51 (step 900)
    width 64, batch 32, lr 8e-3, 700 steps                700   1.43M     39     1.932 (1.937)      not reached
  * width 96, batch 32, lr 8e-3                           800   1.64M     82     1.804 (1.809)      72 (step 700)
  * 6 layers of width 64, lr 1e-2                        1000   2.05M     89     1.814 (1.816)      71 (step 800)
  * width 64, context 128, batch 16, lr 4e-3             1200   2.46M     78     1.930 (1.924)      not reached
    chapter 11: width 64, batch 32, lr 1.2e-2            1500   3.07M     91     1.739 (1.738)      55 (step 900)

Measured per step and not in the table: the exact GELU costs about half the time of GPT-2's tanh approximation on
this CPU (0.66 against 1.4 ms for a 768 × 512 activation, forward and backward), 5 % of a step; PyTorch's fused AdamW
(``fused=True``) takes a fraction of the time of its per-parameter loop; bfloat16 autocast (this CPU has AVX-512 BF16)
saves 23 % of a step of the 4 × 128 model and was left out, because on CPUs without bf16 instructions (most laptops)
it is slower; a batch four times larger cost almost four times as much per step (throughput per token within 10 %),
so on a CPU the batch buys nothing by itself.

Threads. PyTorch runs one CPU thread per core by default, and each operation waits for all of them. With other jobs
on the cores, that is a trap: on the course's 2-core machine at a load average of 4 to 5, a training step of the
chapter's model took 106 ms on one thread and 1,465 ms on two (median of 6 alternating rounds of 10 steps; the
two-thread steps ranged from 509 to 2,405 ms). The chapter therefore trains on one thread
(``torch.set_num_threads(1)``); on an idle 2-core machine a second thread speeds up the matrix products instead.
This script uses PyTorch's default unless ``--threads`` says otherwise, the same for both recipes; on a shared
machine pass ``--threads 1``.

The chapter's recipe (:data:`CHAPTER`) is 4 layers of width 64, context 64, batch 32, 1,500 steps at a peak learning
rate of 1.2e-2. A model of half nanoGPT's width (a quarter of its parameters) costs about a third of the time per
token (measured: 19.5 ms against 57 ms per 768 tokens, one thread), and a learning rate twelve times nanoGPT's makes
up for the smaller model; depth, width 96 and a longer context did not pay here.

Two runs of this script on the course's 2-core machine (``make bench-gpt``, i.e. ``--threads 1``; both recipes
alternating, both evaluated every 100 steps):

- load average 7 to 11 (other jobs on the cores): the chapter's recipe reached 1.88 after 181.5 s of training
  (wall; 54 s of CPU); nanoGPT's recipe did not reach it in its 2,000 steps (1.890 after 369.2 s wall, 128 s CPU),
  so the chapter needed less than 49 % of nanoGPT's wall time and 42 % of its CPU time; at equal time (the end of the
  chapter's run, 260.9 s) the chapter's model was at 1.743, nanoGPT's at 1.983.
- load average 0.8 at the start, 2.6 at the end (2026-12-02): the chapter's recipe reached 1.88 after 60.7 s of
  training (wall; 54.7 s CPU, step 950) and ended at 1.743 after 96.6 s; nanoGPT's recipe ended at 1.890 after
  151.8 s without reaching 1.88, so the chapter took less than 40 % of its time (CPU: less than 41 %); at equal
  time (96.6 s) nanoGPT's model was at 1.977. Total 273 s of wall time, evaluations included.

This is a script, not a test: ``make test`` never runs it.
"""
from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET = 1.88
#: nanoGPT's CPU recipe (README command line on config/train_shakespeare_char.py).
NANOGPT = dict(n_layers=4, n_heads=4, d_model=128, n_ctx=64, batch_size=12, steps=2000, lr=1e-3, warmup_steps=100)
#: The recipe chapter 11 trains.
CHAPTER = dict(n_layers=4, n_heads=4, d_model=64, n_ctx=64, batch_size=32, steps=1500, lr=1.2e-2, warmup_steps=75)
#: The steps between them, for --ablations (the table in this docstring).
ABLATIONS = {
    "nanoGPT's shape, lr 3e-3, 1000 steps": dict(NANOGPT, lr=3e-3, steps=1000, warmup_steps=50),
    "width 64, batch 32, lr 4e-3": dict(CHAPTER, lr=4e-3, steps=1200, warmup_steps=60),
    "width 64, batch 32, lr 8e-3": dict(CHAPTER, lr=8e-3, steps=1200, warmup_steps=60),
    "width 64, batch 32, lr 1.2e-2": dict(CHAPTER, steps=1200, warmup_steps=60),
    "width 96, lr 8e-3, 800 steps": dict(CHAPTER, d_model=96, lr=8e-3, steps=800, warmup_steps=40),
    "6 layers, lr 1e-2, 1000 steps": dict(CHAPTER, n_layers=6, lr=1e-2, steps=1000, warmup_steps=50),
    "context 128, batch 16, lr 4e-3": dict(CHAPTER, n_ctx=128, batch_size=16, lr=4e-3, steps=1200, warmup_steps=60),
}
SHARED = dict(betas=(0.9, 0.99), weight_decay=0.1, grad_clip=1.0, final_lr_fraction=0.1)


class Run:
    """One recipe being trained, a chunk of steps at a time, with its own clocks."""

    def __init__(self, name, recipe, train, val, vocab_size, eval_every, eval_windows, seed):
        import torch

        from course_utils.gpt import GPT, GPTConfig, configure_optimizer
        self.name, self.recipe = name, recipe
        self.train, self.val = train, val
        torch.manual_seed(seed)
        shape = {k: recipe[k] for k in ("n_layers", "n_heads", "d_model", "n_ctx")}
        self.model = GPT(GPTConfig(vocab_size=vocab_size, **shape))
        self.optimizer = configure_optimizer(self.model, recipe["lr"], SHARED["weight_decay"], SHARED["betas"])
        self.generator = torch.Generator().manual_seed(seed)
        self.step, self.wall, self.cpu = 0, 0.0, 0.0
        self.eval_every, self.eval_windows = eval_every, eval_windows
        self.evals = []                      # (step, wall seconds, cpu seconds, validation loss)

    @property
    def done(self) -> bool:
        return self.step >= self.recipe["steps"]

    def train_steps(self, n: int) -> None:
        import torch

        from course_utils.gpt import evaluate_loss, get_batch
        from course_utils.optim import warmup_cosine_lr
        r = self.recipe
        for _ in range(n):
            if self.done:
                return
            w0, c0 = time.perf_counter(), time.process_time()
            rate = warmup_cosine_lr(self.step, r["lr"], r["warmup_steps"], r["steps"], SHARED["final_lr_fraction"])
            for group in self.optimizer.param_groups:
                group["lr"] = rate
            x, y = get_batch(self.train, r["batch_size"], r["n_ctx"], self.generator)
            _, loss = self.model(x, y)
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), SHARED["grad_clip"])
            self.optimizer.step()
            loss.item()
            self.wall += time.perf_counter() - w0
            self.cpu += time.process_time() - c0
            self.step += 1
            if self.step % self.eval_every == 0 or self.done:
                loss = evaluate_loss(self.model, self.val, self.eval_windows)
                self.model.train()
                self.evals.append((self.step, self.wall, self.cpu, loss))

    def time_to(self, target: float):
        """(wall, cpu, step) at the first evaluation at or below ``target``, interpolated linearly in loss between
        it and the evaluation before; None if never reached."""
        previous = (0, 0.0, 0.0, math.inf)
        for step, wall, cpu, loss in self.evals:
            if loss <= target:
                p_step, p_wall, p_cpu, p_loss = previous
                f = 1.0 if not math.isfinite(p_loss) else (p_loss - target) / (p_loss - loss)
                return p_wall + f * (wall - p_wall), p_cpu + f * (cpu - p_cpu), step
            previous = (step, wall, cpu, loss)
        return None

    def loss_at(self, wall: float):
        """Validation loss at ``wall`` training seconds, interpolated between evaluations (None past the end)."""
        previous = None
        for step, w, cpu, loss in self.evals:
            if w >= wall:
                if previous is None:
                    return loss
                pw, pl = previous
                return pl + (wall - pw) / (w - pw) * (loss - pl)
            previous = (w, loss)
        return None


def tokens(recipe) -> int:
    return recipe["steps"] * recipe["batch_size"] * recipe["n_ctx"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--ablations", action="store_true", help="also train the recipes in between (slow)")
    parser.add_argument("--chunk", type=int, default=20, help="steps of one recipe before switching to the other")
    parser.add_argument("--eval-windows", type=int, default=200, help="validation windows per evaluation")
    parser.add_argument("--eval-every", type=int, default=50, help="steps between evaluations")
    parser.add_argument("--threads", type=int, default=None, help="PyTorch CPU threads (default: PyTorch's choice)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    if args.chunk < 1 or args.eval_windows < 1 or args.eval_every < 1:
        parser.error("--chunk, --eval-windows and --eval-every must be positive")

    import torch

    from course_utils.gpt import evaluate_loss, load_shakespeare, split_train_val
    from course_utils.tokenization import CharTokenizer
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    text = load_shakespeare()
    tokenizer = CharTokenizer(text)
    train, val = split_train_val(torch.tensor(tokenizer.encode(text)))
    recipes = {"nanoGPT CPU recipe": NANOGPT, "chapter 11 recipe": CHAPTER}
    if args.ablations:
        recipes.update(ABLATIONS)
    runs = [Run(name, r, train, val, tokenizer.vocab_size, args.eval_every, args.eval_windows, args.seed)
            for name, r in recipes.items()]
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, {torch.get_num_threads()} PyTorch "
          f"threads, torch {torch.__version__}" + (f"; load average at start {load[0]:.1f}" if load else ""))
    print(f"{len(runs)} recipes trained alternately, {args.chunk} steps at a time; evaluation on "
          f"{args.eval_windows} validation windows, paused out of the clocks", flush=True)
    start = time.perf_counter()
    while not all(run.done for run in runs):
        for run in runs:
            run.train_steps(args.chunk)
        done = sum(run.step for run in runs) / sum(run.recipe["steps"] for run in runs)
        print(f"\r{done:6.1%} of all steps, {time.perf_counter() - start:5.0f} s", end="", flush=True)
    print()
    if load:
        print(f"load average at the end {os.getloadavg()[0]:.1f} (2 cores: above 2 means other jobs shared them)")

    print(f"\n{'recipe':32} {'params':>8} {'tokens':>7} {'train s':>8} {'CPU s':>7} {'final':>7} {'full val':>8}"
          f" {'s to ' + str(TARGET):>9} {'CPU s to':>8} {'step':>5}")
    for run in runs:
        full = evaluate_loss(run.model, val)
        reached = run.time_to(TARGET)
        wall_to, cpu_to, step_to = reached if reached else (math.nan, math.nan, "-")
        print(f"{run.name:32} {run.model.config.n_params:>8,} {tokens(run.recipe) / 1e6:6.2f}M {run.wall:8.1f} "
              f"{run.cpu:7.1f} {run.evals[-1][3]:7.3f} {full:8.3f} {wall_to:9.1f} {cpu_to:8.1f} {step_to:>5}")
    nano, ours = runs[0], runs[1]
    n_reached, o_reached = nano.time_to(TARGET), ours.time_to(TARGET)
    print()
    if n_reached and o_reached:
        print(f"to {TARGET}: chapter {o_reached[0]:.1f} s, nanoGPT {n_reached[0]:.1f} s of training (wall): "
              f"{o_reached[0] / n_reached[0]:.0%} of nanoGPT's time (goal: at most 50 %); "
              f"CPU time {o_reached[1] / n_reached[1]:.0%}")
    elif o_reached:
        print(f"to {TARGET}: chapter {o_reached[0]:.1f} s of training (wall); nanoGPT did not reach {TARGET} in its "
              f"{nano.recipe['steps']} steps ({nano.evals[-1][3]:.3f} at the end), so its time to {TARGET} is more "
              f"than its whole run, {nano.wall:.1f} s: the chapter took less than {o_reached[0] / nano.wall:.0%} of it "
              f"(goal: at most 50 %); CPU time less than {o_reached[1] / nano.cpu:.0%}")
    else:
        print(f"to {TARGET}: reached by nanoGPT: {bool(n_reached)}, by the chapter's recipe: {bool(o_reached)}")
    at = ours.wall
    nano_then = nano.loss_at(at)
    print(f"at equal time ({at:.1f} s, the end of the chapter's run): chapter {ours.evals[-1][3]:.3f}, nanoGPT "
          + (f"{nano_then:.3f}" if nano_then is not None else "n/a"))
    ours_then = ours.loss_at(nano.wall)
    print(f"at the end of nanoGPT's run ({nano.wall:.1f} s): nanoGPT {nano.evals[-1][3]:.3f}, chapter "
          + (f"{ours_then:.3f}" if ours_then is not None else f"already done at {ours.wall:.1f} s with "
             f"{ours.evals[-1][3]:.3f}"))
    print(f"total {time.perf_counter() - start:.0f} s of wall time, evaluations included")
    return 0


if __name__ == "__main__":
    sys.exit(main())
