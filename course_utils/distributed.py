"""Data-parallel training over several processes with ``torch.distributed``, and what each process must hold.

Introduced in chapter 12 (scaling out), which runs it in 2 CPU processes and documents the same command for GPUs.
The worker code runs in processes started by ``torchrun`` (one per CPU core or GPU); the notebook starts them with
:func:`launch`, which runs ``tools/ddp_train.py`` and returns what rank 0 gathered as a dict.

    torchrun --standalone --nproc_per_node=2 tools/ddp_train.py train                  # this machine: 2 CPU processes
    torchrun --standalone --nproc_per_node=8 tools/ddp_train.py train --backend nccl   # one machine with 8 GPUs
    torchrun --nnodes=4 --node_rank=K --nproc_per_node=8 --rdzv_backend=c10d \\
             --rdzv_endpoint=HOST:29500 tools/ddp_train.py train --backend nccl       # 4 machines × 8 GPUs

Commands of the script (``python tools/ddp_train.py --help``):

    allreduce   each rank contributes a small tensor; all-reduce sums them; and a timed all-reduce of a buffer
    train       DistributedDataParallel on chapter 11's GPT: each rank its slice of a global batch, gradients
                averaged by all-reduce; records every replica's parameters after every step, and the throughput
    memory      the same model under plain data parallelism, ZeRO-1 (ZeroRedundancyOptimizer) and FSDP
                (``fully_shard``): the numbers each rank holds for weights, gradients and optimizer state

In the notebook's process:

    launch(command, nproc, **options)        run the script under torchrun; a failed rank raises DistributedRunFailed
    torchrun_command(command, nproc, ...)    the command line it runs; command_line(...) the same to type by hand
    check_world_size(nproc, backend)         refuse more processes than this machine has cores (gloo) or GPUs (nccl)
    default_backend(nproc)                   "nccl" when there are nproc GPUs, else "gloo" on the CPU
    rank_slice(x, rank, world_size)          the rows of a global batch that one rank trains on
    train_step(model, optimizer, x, y)       one optimisation step; the same code with or without DDP
    ring_allreduce_bytes(n_bytes, n_ranks)   what each rank sends in a ring all-reduce: 2(N−1)/N · n_bytes
    allreduce_seconds(...), data_parallel_efficiency(...)   communication time and the efficiency it leaves
    zero_memory_per_rank(n_params, n_ranks, stage)   bytes per rank of weights, gradients and Adam state, ZeRO 0-3
    saved_activation_bytes(fn)               bytes autograd saves for the backward pass while ``fn()`` runs
"""
from __future__ import annotations

import argparse
import json
import math
import numbers
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

BACKENDS = ("gloo", "nccl")
COMMANDS = ("allreduce", "train", "memory")
#: How long a collective waits for the other ranks before it fails (seconds); the script's --pg-timeout.
DEFAULT_PG_TIMEOUT_S = 60
#: The script torchrun runs, relative to the repository root.
SCRIPT = Path("tools") / "ddp_train.py"
RESULT_FILE = "result.json"
STATE_FILE = "final_state.pt"
#: Interconnect bandwidths for the arithmetic of chapter 12, bytes per second in each direction: NVLink 3 between
#: the A100s of one machine (600 GB/s in total, 300 GB/s each way; NVIDIA's A100 data sheet) and one HDR InfiniBand
#: link per GPU between machines (200 Gb/s = 25 GB/s).
NVLINK_A100_BYTES_PER_S = 300e9
INFINIBAND_HDR_BYTES_PER_S = 25e9
#: ZeRO stages: what is sharded over the ranks (Rajbhandari et al. 2020). Stage 3 is what FSDP's full sharding does.
ZERO_STAGES = {0: "nothing (plain data parallelism)", 1: "optimizer state", 2: "optimizer state and gradients",
               3: "optimizer state, gradients and weights"}


class DistributedRunFailed(RuntimeError):
    """A distributed run stopped because a rank failed (raised, timed out or was killed).

    ``errors`` maps each rank that reported an error to its message, first failure first; ``first_rank`` is the
    rank that failed first (the cause; the others usually fail because it left), or ``None``; ``log`` is
    torchrun's output.
    """

    def __init__(self, message: str, errors: dict | None = None, log: str = ""):
        super().__init__(message)
        self.errors = dict(errors or {})
        self.first_rank = next(iter(self.errors), None)
        self.log = log

    @classmethod
    def from_run(cls, command: str, nproc: int, returncode, errors: dict, log: str):
        if errors:
            first = next(iter(errors))
            detail = f"Rank {first} failed first: {errors[first]}"
            others = [f"rank {r}: {m[:160]}" for r, m in errors.items() if r != first]
            if others:
                detail += ". Then " + "; ".join(others)
        else:
            first = None
            tail = [line for line in log.splitlines() if line.strip()][-5:]
            detail = "No rank reported an error; torchrun's last lines:\n" + "\n".join(tail)
        return cls(f"the {nproc}-process {command!r} run failed (exit status {returncode}) and torchrun stopped "
                   f"every rank. {detail}", errors, log)


# ---------------------------------------------------------------------------------- validation
def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _positive_real(value, name: str, allow_zero: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or value < 0 or (value == 0 and not allow_zero):
        raise ValueError(f"{name} must be a {'non-negative' if allow_zero else 'positive'} finite number, "
                         f"got {value!r}")
    return float(value)


def _backend(backend) -> str:
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {list(BACKENDS)} ('gloo' on CPUs, 'nccl' on NVIDIA GPUs), "
                         f"got {backend!r}")
    return backend


# ---------------------------------------------------------------------------------- how many processes
def cpu_cores() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one, else ``os.cpu_count()``)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def max_processes(backend: str = "gloo") -> int:
    """How many processes of one machine the backend can use: its CPU cores (gloo), its CUDA GPUs (nccl)."""
    if _backend(backend) == "nccl":
        import torch
        return torch.cuda.device_count() if torch.cuda.is_available() else 0
    return cpu_cores()


def check_world_size(nproc, backend: str = "gloo") -> int:
    """Return ``nproc`` if this machine can hold that many processes, else raise ``ValueError`` saying why.

    With gloo each process trains on the CPU and needs a core of its own (more processes than cores only take
    turns, and the measurements would be meaningless); with nccl each process needs its own GPU.
    """
    nproc = _positive_int(nproc, "nproc (processes per machine)")
    available = max_processes(backend)
    if nproc > available:
        what = f"{available} CUDA GPU(s)" if backend == "nccl" else f"{available} CPU core(s)"
        raise ValueError(f"nproc={nproc} processes do not fit on this machine: it has {what}, and each {backend} "
                         f"process needs one of its own. Use nproc <= {available}"
                         + (", or the gloo backend on the CPU" if backend == "nccl" else
                            ", or more machines (torchrun --nnodes)") + ".")
    return nproc


def default_backend(nproc: int = 2) -> str:
    """``"nccl"`` when this machine has at least ``nproc`` CUDA GPUs, else ``"gloo"`` (CPU processes)."""
    nproc = _positive_int(nproc, "nproc")
    import torch
    return "nccl" if torch.cuda.is_available() and torch.cuda.device_count() >= nproc else "gloo"


# ---------------------------------------------------------------------------------- launching
def script_path() -> Path:
    """``tools/ddp_train.py`` of the course checkout (an absolute path: it works from any working directory)."""
    from .config import repo_root
    path = repo_root() / SCRIPT
    if not path.is_file():
        raise FileNotFoundError(f"{SCRIPT} is missing from the course checkout {repo_root()}; it ships with the "
                                "repository: run `git checkout -- tools/` in your clone, or clone it again")
    return path


def _option_args(options: dict) -> list[str]:
    args = []
    for key, value in options.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise TypeError(f"options are keyword arguments such as steps=5, got {key!r}")
        flag = "--" + key.replace("_", "-")
        if isinstance(value, bool):
            if value:
                args.append(flag)
        elif value is None:
            continue
        elif isinstance(value, (numbers.Real, str, Path)):
            args += [flag, str(value)]
        else:
            raise TypeError(f"option {key}={value!r}: expected a number, a string, a path or True/False")
    return args


def torchrun_command(command: str, nproc: int = 2, backend: str = "gloo", nnodes: int = 1,
                     python: str | None = None, **options) -> list[str]:
    """The ``torchrun`` command line (as a list) that runs ``tools/ddp_train.py COMMAND`` in ``nproc`` processes.

    ``nnodes > 1`` gives the form for several machines (run it on each, with ``--node_rank`` 0, 1, ...
    and ``--rdzv_endpoint`` set to the first machine's address and a free port). ``python`` is the interpreter
    (``sys.executable`` by default), which runs torchrun as ``python -m torch.distributed.run``.
    """
    if command not in COMMANDS:
        raise ValueError(f"command must be one of {list(COMMANDS)}, got {command!r}")
    nproc, nnodes = _positive_int(nproc, "nproc"), _positive_int(nnodes, "nnodes")
    _backend(backend)
    python = sys.executable if python is None else python
    cmd = [python, "-m", "torch.distributed.run"]
    if nnodes == 1:
        cmd += ["--standalone"]
    else:
        cmd += [f"--nnodes={nnodes}", "--node_rank=NODE_RANK", "--rdzv_backend=c10d",
                "--rdzv_endpoint=HOST:29500"]
    cmd += [f"--nproc_per_node={nproc}", str(script_path()), command, "--backend", backend]
    return cmd + _option_args(options)


def command_line(command: str, nproc: int = 2, backend: str = "gloo", nnodes: int = 1, **options) -> str:
    """The command to type on a machine with the course checked out, e.g. ``torchrun --standalone
    --nproc_per_node=8 tools/ddp_train.py train --backend nccl --out OUT`` (what :func:`launch` runs, with
    ``torchrun`` for ``python -m torch.distributed.run`` and the script's path relative to the checkout)."""
    import shlex
    cmd = torchrun_command(command, nproc, backend, nnodes, **{"out": "OUT", **options})
    cmd[:3] = ["torchrun"]
    cmd[cmd.index(str(script_path()))] = SCRIPT.as_posix()
    return shlex.join(cmd).replace("NODE_RANK", "K")


def _kill_group(proc: subprocess.Popen) -> None:
    """Stop the launcher we started and every worker it started (they share its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()


_SOURCE_LOCATION = re.compile(r"\[/[^\]]*\]\s*")          # gloo's "[/path/to/pair.cc:553] " prefixes


def _rank_errors(folder: Path) -> dict:
    """``{rank: last line of its error file}`` in the order the ranks failed (first failure first)."""
    files = sorted(folder.glob("error-rank*.txt"), key=lambda p: p.stat().st_mtime_ns)
    errors = {}
    for path in files:
        lines = path.read_text(encoding="utf-8").strip().splitlines()
        errors[int(path.stem.removeprefix("error-rank"))] = _SOURCE_LOCATION.sub("", lines[-1] if lines else "")
    return errors


def launch(command: str, nproc: int = 2, backend: str = "gloo", timeout_s: float = 300,
           pg_timeout_s: float = DEFAULT_PG_TIMEOUT_S, threads_per_process: int | None = None,
           keep: str | os.PathLike | None = None, **options) -> dict:
    """Run ``tools/ddp_train.py COMMAND`` in ``nproc`` processes under torchrun and return rank 0's result.

    The processes are started with this kernel's Python (``sys.executable``) and with the course checkout on
    ``PYTHONPATH``, so it works from any folder, in JupyterLab, under nbval and on Colab. ``options`` become the
    script's flags (``steps=5`` → ``--steps 5``). The result is the script's ``result.json`` as a dict;
    ``result["folder"]`` is where its files are (a temporary folder, deleted at exit, unless ``keep`` names one).

    If a rank fails (an exception, or a collective that waited ``pg_timeout_s`` seconds for a rank that never
    came), torchrun stops the others and this raises :class:`DistributedRunFailed` with the failing rank's error.
    ``timeout_s`` bounds the whole run: past it every process is stopped and the same error is raised.
    """
    if command not in COMMANDS:
        raise ValueError(f"command must be one of {list(COMMANDS)}, got {command!r}")
    check_world_size(nproc, backend)
    timeout_s = _positive_real(timeout_s, "timeout_s")
    pg_timeout_s = _positive_real(pg_timeout_s, "pg_timeout_s")
    if threads_per_process is None:
        threads_per_process = max(1, cpu_cores() // nproc)
    threads_per_process = _positive_int(threads_per_process, "threads_per_process")
    if keep is None:
        folder = Path(tempfile.mkdtemp(prefix=f"ddp-{command}-"))
        import atexit
        atexit.register(shutil.rmtree, folder, True)
    else:
        if not isinstance(keep, (str, os.PathLike)):
            raise TypeError(f"keep must be a folder path or None, got {type(keep).__name__}")
        folder = Path(keep)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in [*folder.glob("error-rank*.txt"), folder / RESULT_FILE]:
            stale.unlink(missing_ok=True)
    from .config import repo_root
    cmd = torchrun_command(command, nproc, backend, out=folder, pg_timeout=pg_timeout_s, **options)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(repo_root()), env.get("PYTHONPATH", "")) if p)
    env["OMP_NUM_THREADS"] = str(threads_per_process)      # torchrun would otherwise set 1 and warn about it
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
                            start_new_session=True)
    try:
        log, _ = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        errors = _rank_errors(folder)
        raise DistributedRunFailed(f"the {nproc}-process {command!r} run did not finish within {timeout_s:g} s and "
                                   f"every process was stopped; errors reported by the ranks: {errors or 'none'}",
                                   errors) from None
    except BaseException:                                    # e.g. the notebook's interrupt button
        _kill_group(proc)
        raise
    (folder / "torchrun.log").write_text(log, encoding="utf-8")
    errors = _rank_errors(folder)
    if proc.returncode != 0 or errors:
        raise DistributedRunFailed.from_run(command, nproc, proc.returncode, errors, log)
    result = json.loads((folder / RESULT_FILE).read_text(encoding="utf-8"))
    result["folder"] = str(folder)
    return result


# ---------------------------------------------------------------------------------- the training step
def rank_slice(x, rank: int, world_size: int):
    """The rows of the global batch ``x`` that rank ``rank`` of ``world_size`` trains on (equal shares, in order)."""
    world_size = _positive_int(world_size, "world_size")
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or not 0 <= rank < world_size:
        raise ValueError(f"rank must be an integer in [0, {world_size}), got {rank!r}")
    if not hasattr(x, "shape") or len(x.shape) < 1:
        raise TypeError(f"x must be a batch (a tensor or array with rows), got {type(x).__name__}")
    if x.shape[0] % world_size:
        raise ValueError(f"a global batch of {x.shape[0]} rows does not split into {world_size} equal shares; "
                         f"use a multiple of {world_size}")
    share = x.shape[0] // world_size
    return x[rank * share:(rank + 1) * share]


def train_step(model, optimizer, x, y, grad_clip: float | None = 1.0) -> float:
    """One optimisation step of a GPT on ``(x, y)``; returns the batch's loss.

    The same code trains a plain model and one wrapped in ``DistributedDataParallel``: DDP's ``backward``
    all-reduces the gradients, so that every rank's ``p.grad`` is the mean over the ranks' batches.
    """
    _, loss = model(x, y)                    # mean cross-entropy over this rank's tokens
    optimizer.zero_grad(set_to_none=True)
    loss.backward()                          # under DDP: gradients averaged over all ranks here
    if grad_clip is not None:
        import torch
        torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip)
    optimizer.step()
    return float(loss.detach())


def make_optimizer(params, lr: float = 1e-3, weight_decay: float = 0.1):
    """AdamW with GPT's betas (0.9, 0.95), the same on every rank and in the single-process reference."""
    import torch
    return torch.optim.AdamW(params, lr=_positive_real(lr, "lr"), betas=(0.9, 0.95),
                             weight_decay=_positive_real(weight_decay, "weight_decay", allow_zero=True))


def shakespeare_train_ids():
    """Chapter 11's training split of tiny Shakespeare as a tensor of character ids."""
    import torch

    from .gpt import load_shakespeare, split_train_val
    from .tokenization import CharTokenizer
    text = load_shakespeare()
    return split_train_val(torch.tensor(CharTokenizer(text).encode(text)))[0]


def global_batches(data, steps: int, global_batch: int, n_ctx: int, seed: int = 0):
    """``steps`` global batches ``(x, y)`` of random windows, the same on every rank (one seeded generator)."""
    import torch

    from .gpt import get_batch
    generator = torch.Generator().manual_seed(seed)
    for _ in range(_positive_int(steps, "steps")):
        yield get_batch(data, global_batch, n_ctx, generator)


# ---------------------------------------------------------------------------------- arithmetic
def ring_allreduce_bytes(n_bytes, n_ranks: int) -> float:
    """Bytes each rank sends (and receives) in a ring all-reduce of ``n_bytes``: ``2·(N−1)/N · n_bytes``.

    Reduce-scatter (N−1 steps, each sending one N-th of the buffer) then all-gather (N−1 more): almost twice the
    buffer, whatever N is. That is why data parallelism scales to many GPUs on a fast enough interconnect.
    """
    n_bytes = _positive_real(n_bytes, "n_bytes", allow_zero=True)
    n_ranks = _positive_int(n_ranks, "n_ranks")
    return 2.0 * (n_ranks - 1) / n_ranks * n_bytes


def allreduce_seconds(n_bytes, n_ranks: int, bandwidth_bytes_per_s: float, latency_s: float = 0.0) -> float:
    """Time of a ring all-reduce: ``2(N−1)`` steps of latency, plus :func:`ring_allreduce_bytes` at the link's
    bandwidth (bytes per second in each direction)."""
    bandwidth = _positive_real(bandwidth_bytes_per_s, "bandwidth_bytes_per_s")
    latency_s = _positive_real(latency_s, "latency_s", allow_zero=True)
    n_ranks = _positive_int(n_ranks, "n_ranks")
    return 2 * (n_ranks - 1) * latency_s + ring_allreduce_bytes(n_bytes, n_ranks) / bandwidth


def data_parallel_efficiency(compute_s, communicate_s, overlap: float = 0.0) -> float:
    """Fraction of ideal speed-up kept when each step computes for ``compute_s`` and all-reduces for ``communicate_s``.

    ``overlap`` is the fraction of the communication hidden behind the backward pass (DDP starts all-reducing a
    bucket of gradients as soon as it is ready): efficiency = compute / (compute + (1 − overlap) · communicate).
    """
    compute_s = _positive_real(compute_s, "compute_s")
    communicate_s = _positive_real(communicate_s, "communicate_s", allow_zero=True)
    overlap = _positive_real(overlap, "overlap", allow_zero=True)
    if overlap > 1:
        raise ValueError(f"overlap is a fraction from 0 to 1, got {overlap}")
    return compute_s / (compute_s + (1 - overlap) * communicate_s)


def zero_memory_per_rank(n_params, n_ranks: int, stage: int = 0, precision: str = "mixed") -> dict:
    """Bytes each rank holds for weights, gradients and optimizer state when training with Adam on ``n_ranks``.

    ``stage`` 0 is plain data parallelism (everything on every rank); ZeRO stage 1 shards the optimizer state
    over the ranks, stage 2 also the gradients, stage 3 also the weights (FSDP's full sharding). ``precision`` is
    chapter 01's :func:`~course_utils.model_size.adam_bytes_per_param`: ``"mixed"`` (2-byte weights and gradients,
    12 bytes of fp32 master weights and moments: 16 B per parameter) or ``"fp32"``. Activations come on top.
    """
    from .model_size import adam_bytes_per_param
    if isinstance(n_params, bool) or not isinstance(n_params, numbers.Real) or not math.isfinite(n_params) \
            or n_params <= 0:
        raise ValueError(f"n_params must be a positive number of parameters, got {n_params!r}")
    n_ranks = _positive_int(n_ranks, "n_ranks")
    if stage not in ZERO_STAGES or isinstance(stage, bool):
        raise ValueError(f"stage must be 0 (plain data parallelism), 1, 2 or 3 (ZeRO stages), got {stage!r}")
    parts = adam_bytes_per_param(precision)
    per_param = {"weights": parts["weights"], "gradients": parts["gradients"],
                 "optimizer": parts["master_weights"] + parts["adam_m"] + parts["adam_v"]}
    sharded = {0: (), 1: ("optimizer",), 2: ("optimizer", "gradients"),
               3: ("optimizer", "gradients", "weights")}[stage]
    out = {k: n_params * b / (n_ranks if k in sharded else 1) for k, b in per_param.items()}
    out["total"] = sum(out.values())
    return out


# ---------------------------------------------------------------------------------- memory of activations
class saved_activation_bytes:
    """Context manager: count the bytes autograd saves for the backward pass (activations) while it is open.

        with saved_activation_bytes() as saved:
            loss = model(x, y)[1]
        saved.bytes      # what the backward pass will read; mixed precision roughly halves it

    Tensors saved twice (the same storage) are counted once.
    """

    def __enter__(self):
        import torch
        self.bytes = 0
        self._seen = set()

        def pack(t):
            key = (t.untyped_storage().data_ptr(), t.untyped_storage().nbytes())
            if key not in self._seen:
                self._seen.add(key)
                self.bytes += t.untyped_storage().nbytes()
            return t

        self._hooks = torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t)
        self._hooks.__enter__()
        return self

    def __exit__(self, *exc):
        self._hooks.__exit__(*exc)
        self._seen = set()
        return False


# ---------------------------------------------------------------------------------- the worker (in torchrun)
def _gpt_config(args):
    from .gpt import GPTConfig
    return GPTConfig(vocab_size=65, n_ctx=args.n_ctx, n_layers=args.n_layers, n_heads=args.n_heads,
                     d_model=args.d_model)


def _build_model(args, device):
    from .gpt import GPT
    from .seeding import seed_everything
    seed_everything(args.seed, frameworks=["torch"])
    return GPT(_gpt_config(args)).to(device)


def _flat_params(model):
    import torch
    return torch.cat([p.detach().reshape(-1).float().cpu() for p in model.parameters()])


def _worker_allreduce(args, rank, world_size, device):
    import torch
    import torch.distributed as dist
    mine = (torch.arange(4, dtype=torch.float32) + 10 * rank).to(device)
    before = mine.tolist()
    if args.stall_rank == rank:
        time.sleep(args.pg_timeout + 30)            # a rank that never arrives: the others must time out
    dist.all_reduce(mine, op=dist.ReduceOp.SUM)
    after = mine.tolist()
    n = max(1, int(args.mb * 1e6 / 4))
    buffer = torch.ones(n, device=device)
    dist.all_reduce(buffer)                          # warm-up: connections and buffers
    seconds = []
    for _ in range(args.repeats):
        dist.barrier()
        start = time.perf_counter()
        dist.all_reduce(buffer)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        seconds.append(time.perf_counter() - start)
    return {"before": before, "after": after, "buffer_bytes": n * 4, "seconds": seconds}


def _worker_train(args, rank, world_size, device):
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP
    model = _build_model(args, device)
    ddp = DDP(model, device_ids=[device.index] if device.type == "cuda" else None)
    optimizer = make_optimizer(ddp.parameters(), args.lr)
    data = shakespeare_train_ids()
    global_batch = args.batch_size * world_size
    losses, replica_diff = [], []
    start = None
    for step, (x, y) in enumerate(global_batches(data, args.steps, global_batch, args.n_ctx, args.seed)):
        if step == args.warmup_steps:
            dist.barrier()
            start = time.perf_counter()
        if args.fail_rank == rank and step == args.fail_step:
            raise RuntimeError(f"rank {rank} was told to fail at step {step} (--fail-rank {rank})")
        x, y = rank_slice(x, rank, world_size).to(device), rank_slice(y, rank, world_size).to(device)
        losses.append(train_step(ddp, optimizer, x, y))
        if args.check_replicas:              # every rank's parameters, compared with rank 0's
            flat = _flat_params(model).to(device)
            gathered = [torch.empty_like(flat) for _ in range(world_size)]
            dist.all_gather(gathered, flat)
            replica_diff.append(max(float((g - gathered[0]).abs().max()) for g in gathered))
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    dist.barrier()
    measured = args.steps - args.warmup_steps
    seconds = time.perf_counter() - start if start is not None else float("nan")
    if rank == 0 and args.save_state:
        torch.save({k: v.cpu() for k, v in model.state_dict().items()}, Path(args.out) / STATE_FILE)
    n_params = sum(p.numel() for p in model.parameters())
    return {"losses": losses, "max_replica_difference": replica_diff, "n_params": n_params,
            "gradient_bytes": n_params * 4, "global_batch": global_batch, "measured_steps": measured,
            "seconds": seconds, "tokens_per_second": measured * global_batch * args.n_ctx / seconds
            if measured > 0 else float("nan"), "threads": torch.get_num_threads()}


def _count(tensors) -> int:
    total = 0
    for t in tensors:
        t = t.to_local() if hasattr(t, "to_local") else t
        total += t.numel()
    return total


def _optimizer_state_numbers(state) -> int:
    return _count(v for s in state.values() for k, v in s.items() if k != "step" and hasattr(v, "numel"))


def _worker_memory(args, rank, world_size, device):
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.optim import ZeroRedundancyOptimizer
    from torch.nn.parallel import DistributedDataParallel as DDP
    data = shakespeare_train_ids()
    global_batch = args.batch_size * world_size
    out = {}
    for setup in ("ddp", "zero1", "fsdp"):
        model = _build_model(args, device)
        if setup == "fsdp":
            for block in model.blocks:           # each block's weights gathered only while it computes
                fully_shard(block)
            wrapped = fully_shard(model)
        else:
            wrapped = DDP(model, device_ids=[device.index] if device.type == "cuda" else None)
        if setup == "zero1":
            import torch
            optimizer = ZeroRedundancyOptimizer(wrapped.parameters(), optimizer_class=torch.optim.AdamW,
                                                lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
        else:
            optimizer = make_optimizer(wrapped.parameters(), args.lr)
        losses = []
        for x, y in global_batches(data, args.steps, global_batch, args.n_ctx, args.seed):
            x, y = rank_slice(x, rank, world_size).to(device), rank_slice(y, rank, world_size).to(device)
            losses.append(train_step(wrapped, optimizer, x, y, grad_clip=None))
        state = optimizer.optim.state if setup == "zero1" else optimizer.state
        params = list(model.parameters())
        out[setup] = {"weights": _count(params), "gradients": _count(p.grad for p in params if p.grad is not None),
                      "optimizer": _optimizer_state_numbers(state), "losses": losses,
                      "full_weights": sum((p.full_tensor() if hasattr(p, "full_tensor") else p).numel()
                                          for p in params)}
    return out


_WORKERS = {"allreduce": _worker_allreduce, "train": _worker_train, "memory": _worker_memory}


def parse_args(argv=None) -> argparse.Namespace:
    """The script's flags (``python tools/ddp_train.py COMMAND --help``)."""
    parser = argparse.ArgumentParser(
        prog="ddp_train.py", description="Chapter 12's data-parallel runs; start them with torchrun "
        "(torchrun --standalone --nproc_per_node=N tools/ddp_train.py COMMAND).")
    parser.add_argument("command", choices=COMMANDS)
    parser.add_argument("--backend", choices=BACKENDS, default="gloo",
                        help="gloo: CPU processes; nccl: one NVIDIA GPU per process")
    parser.add_argument("--out", required=True, help="folder for result.json (and the final weights)")
    parser.add_argument("--pg-timeout", type=float, default=DEFAULT_PG_TIMEOUT_S,
                        help="seconds a collective waits for the other ranks before the run fails")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup-steps", type=int, default=0, help="steps left out of the timing")
    parser.add_argument("--batch-size", type=int, default=16, help="windows per rank per step")
    parser.add_argument("--n-ctx", type=int, default=64)
    parser.add_argument("--n-layers", type=int, default=2)
    parser.add_argument("--n-heads", type=int, default=4)
    parser.add_argument("--d-model", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--check-replicas", action="store_true",
                        help="after every step, compare every rank's parameters with rank 0's")
    parser.add_argument("--save-state", action="store_true", help="rank 0 saves the final weights")
    parser.add_argument("--mb", type=float, default=16.0, help="allreduce: size of the timed buffer in MB")
    parser.add_argument("--repeats", type=int, default=5, help="allreduce: timed repetitions")
    parser.add_argument("--fail-rank", type=int, default=None, help="train: this rank raises (a fault drill)")
    parser.add_argument("--fail-step", type=int, default=0, help="train: ... at this step")
    parser.add_argument("--stall-rank", type=int, default=None,
                        help="allreduce: this rank never joins the collective (a timeout drill)")
    args = parser.parse_args(argv)
    for name in ("steps", "batch_size", "n_ctx", "n_layers", "n_heads", "d_model", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1, got {getattr(args, name)}")
    if not 0 <= args.warmup_steps < args.steps:
        parser.error(f"--warmup-steps must be in [0, --steps), got {args.warmup_steps} with --steps {args.steps}")
    if args.pg_timeout <= 0 or args.lr <= 0 or args.mb <= 0:
        parser.error("--pg-timeout, --lr and --mb must be positive")
    return args


def _env_int(name: str) -> int:
    value = os.environ.get(name)
    if value is None:
        raise SystemExit(f"${name} is not set: this script runs under torchrun, e.g. "
                         f"`torchrun --standalone --nproc_per_node=2 {SCRIPT} train --out OUT`")
    return int(value)


def _report_failure(out: Path, rank: int, exc: BaseException) -> None:
    """Write ``error-rank<R>.txt`` (the traceback, then one line: the error) before the process group goes away."""
    message = f"{type(exc).__name__}: {exc}".replace("\n", " ")
    (out / f"error-rank{rank}.txt").write_text(traceback.format_exc() + message + "\n", encoding="utf-8")
    print(f"[rank {rank}] {message}", file=sys.stderr, flush=True)


def main(argv=None) -> int:
    """Entry point of ``tools/ddp_train.py`` in each process torchrun starts (it sets RANK, WORLD_SIZE, ...)."""
    args = parse_args(argv)
    rank, world_size = _env_int("RANK"), _env_int("WORLD_SIZE")
    local_rank = int(os.environ.get("LOCAL_RANK", rank))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        from datetime import timedelta

        import torch
        import torch.distributed as dist
        check_world_size(int(os.environ.get("LOCAL_WORLD_SIZE", world_size)), args.backend)
        if args.backend == "nccl":
            device = torch.device("cuda", local_rank)
            torch.cuda.set_device(device)
        else:
            device = torch.device("cpu")
        dist.init_process_group(args.backend, timeout=timedelta(seconds=args.pg_timeout))
    except BaseException as exc:
        _report_failure(out, rank, exc)
        return 1
    status = 0
    try:
        result = _WORKERS[args.command](args, rank, world_size, device)
        gathered = [None] * world_size
        dist.all_gather_object(gathered, result)
        if rank == 0:
            summary = {"command": args.command, "world_size": world_size, "backend": args.backend,
                       "device": device.type, "torch": torch.__version__, "ranks": gathered,
                       "options": {k: v for k, v in vars(args).items() if k not in ("out", "command")}}
            tmp = out / (RESULT_FILE + ".tmp")
            tmp.write_text(json.dumps(summary, indent=1), encoding="utf-8")
            tmp.replace(out / RESULT_FILE)
        dist.barrier()
    except BaseException as exc:             # reported before the group is torn down, so it is seen first
        _report_failure(out, rank, exc)
        status = 1
    finally:
        dist.destroy_process_group()
    return status


if __name__ == "__main__":
    sys.exit(main())
