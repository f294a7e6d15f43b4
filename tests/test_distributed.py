"""Tests of course_utils.distributed: the arithmetic, the launcher's checks, and real two-process runs.

The runs use a tiny GPT and a few steps; each starts torchrun with two gloo processes on the CPU (a few seconds).
"""
import math
import subprocess
import sys

import pytest
import torch

from course_utils import distributed as dd
from course_utils.distributed import (DistributedRunFailed, allreduce_seconds, check_world_size,
                                      data_parallel_efficiency, launch, rank_slice, ring_allreduce_bytes,
                                      saved_activation_bytes, torchrun_command, zero_memory_per_rank)
from course_utils.gpt import GPT, GPTConfig

TINY = dict(n_layers=1, d_model=16, n_heads=2, n_ctx=16, batch_size=4)
two_cores = pytest.mark.skipif(dd.cpu_cores() < 2, reason="a two-process run needs two CPU cores")


# ---------------------------------------------------------------------------------- arithmetic
def test_zero_memory_matches_the_zero_paper_example():
    # Rajbhandari et al. (2020), Figure 1: 7.5B parameters, 64 GPUs, mixed-precision Adam (K = 12).
    gb = [zero_memory_per_rank(7.5e9, 64, stage)["total"] / 1e9 for stage in range(4)]
    assert gb[0] == pytest.approx(120)
    assert gb[1] == pytest.approx(31.4, abs=0.05)
    assert gb[2] == pytest.approx(16.6, abs=0.05)
    assert gb[3] == pytest.approx(1.875)


def test_zero_memory_parts_and_one_rank():
    parts = zero_memory_per_rank(1000, 4, 2)
    assert parts == {"weights": 2000, "gradients": 500, "optimizer": 3000, "total": 5500}
    for stage in range(4):        # one rank holds everything whatever the stage
        assert zero_memory_per_rank(1000, 1, stage)["total"] == 16_000
    assert zero_memory_per_rank(1000, 2, 3, precision="fp32")["total"] == 8000


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_params=0, n_ranks=2), "n_params"), (dict(n_params=float("nan"), n_ranks=2), "n_params"),
    (dict(n_params="7B", n_ranks=2), "n_params"), (dict(n_params=10, n_ranks=0), "n_ranks"),
    (dict(n_params=10, n_ranks=2, stage=4), "stage"), (dict(n_params=10, n_ranks=2, stage=True), "stage"),
    (dict(n_params=10, n_ranks=2, precision="fp8"), "precision")])
def test_zero_memory_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        zero_memory_per_rank(**kwargs)


def test_ring_allreduce_bytes_and_time():
    assert ring_allreduce_bytes(100, 1) == 0
    assert ring_allreduce_bytes(100, 2) == 100
    assert ring_allreduce_bytes(100, 4) == 150
    assert ring_allreduce_bytes(1e9, 1000) == pytest.approx(1.998e9)
    assert allreduce_seconds(1e9, 2, 1e9) == pytest.approx(1.0)
    assert allreduce_seconds(1e9, 2, 1e9, latency_s=0.5) == pytest.approx(2.0)
    with pytest.raises(ValueError, match="n_ranks"):
        ring_allreduce_bytes(10, 0)
    with pytest.raises(ValueError, match="n_bytes"):
        ring_allreduce_bytes(-1, 2)
    with pytest.raises(ValueError, match="bandwidth"):
        allreduce_seconds(10, 2, 0)


def test_data_parallel_efficiency():
    assert data_parallel_efficiency(1.0, 0.0) == 1.0
    assert data_parallel_efficiency(1.0, 1.0) == 0.5
    assert data_parallel_efficiency(1.0, 1.0, overlap=1.0) == 1.0
    for bad in (dict(compute_s=0, communicate_s=1), dict(compute_s=1, communicate_s=-1),
                dict(compute_s=1, communicate_s=1, overlap=1.5)):
        with pytest.raises(ValueError):
            data_parallel_efficiency(**bad)


def test_rank_slice_splits_the_global_batch_in_order():
    x = torch.arange(12).reshape(6, 2)
    parts = [rank_slice(x, r, 3) for r in range(3)]
    assert torch.equal(torch.cat(parts), x)
    assert parts[1].tolist() == [[4, 5], [6, 7]]
    with pytest.raises(ValueError, match="equal shares"):
        rank_slice(x, 0, 4)
    with pytest.raises(ValueError, match="rank"):
        rank_slice(x, 3, 3)
    with pytest.raises(TypeError, match="batch"):
        rank_slice([1, 2], 0, 1)


def test_train_step_without_ddp_is_one_optimiser_step():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=65, n_ctx=8, n_layers=1, n_heads=2, d_model=8))
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = dd.make_optimizer(model.parameters(), 1e-2)
    x = torch.randint(0, 65, (4, 8))
    loss = dd.train_step(model, optimizer, x, x)
    assert isinstance(loss, float) and loss > 0
    assert any(not torch.equal(a, b) for a, b in zip(before, model.parameters()))


def test_saved_activation_bytes_counts_what_backward_keeps():
    w = torch.randn(10, 20, requires_grad=True)
    x = torch.randn(5, 10)
    with saved_activation_bytes() as saved:
        y = (x @ w).relu()
    assert saved.bytes >= x.numel() * 4            # x is saved for w's gradient
    with torch.no_grad(), saved_activation_bytes() as nothing:
        x @ w
    assert nothing.bytes == 0
    y.sum().backward()


# ---------------------------------------------------------------------------------- launcher checks
def test_world_size_larger_than_the_machine_is_refused():
    cores = dd.cpu_cores()
    assert check_world_size(1) == 1
    with pytest.raises(ValueError, match=f"nproc={cores + 1} processes do not fit.*{cores} CPU core"):
        check_world_size(cores + 1)
    with pytest.raises(ValueError, match=f"nproc={cores + 1}"):
        launch("train", nproc=cores + 1)                     # refused before anything starts
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="0 CUDA GPU"):
            check_world_size(1, "nccl")
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="nproc"):
            check_world_size(bad)
    with pytest.raises(ValueError, match="backend"):
        check_world_size(1, "mpi")


def test_launch_and_command_reject_bad_input():
    with pytest.raises(ValueError, match="command"):
        launch("fit")
    with pytest.raises(ValueError, match="timeout_s"):
        launch("train", nproc=1, timeout_s=0)
    with pytest.raises(TypeError, match="option"):
        torchrun_command("train", 1, steps=[1, 2])
    cmd = torchrun_command("train", 2, "nccl", steps=3, check_replicas=True, fail_rank=None)
    assert cmd[:4] == [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    assert "--nproc_per_node=2" in cmd and cmd[cmd.index("--backend") + 1] == "nccl"
    assert cmd[-3:] == ["--steps", "3", "--check-replicas"] and "--fail-rank" not in cmd
    multi = torchrun_command("train", 8, "nccl", nnodes=4)
    assert "--nnodes=4" in multi and "--standalone" not in multi


def test_script_refuses_to_run_outside_torchrun(tmp_path):
    out = subprocess.run([sys.executable, str(dd.script_path()), "train", "--out", str(tmp_path)],
                         capture_output=True, text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    assert out.returncode != 0
    assert "runs under torchrun" in out.stderr


def test_script_rejects_bad_flags(tmp_path):
    for flags in (["--steps", "0"], ["--warmup-steps", "5", "--steps", "5"], ["--lr", "-1"]):
        with pytest.raises(SystemExit):
            dd.parse_args(["train", "--out", str(tmp_path), *flags])


# ---------------------------------------------------------------------------------- real two-process runs
@two_cores
def test_two_process_ddp_equals_one_process_on_the_combined_batch():
    steps = 3
    result = launch("train", nproc=2, steps=steps, check_replicas=True, save_state=True, timeout_s=240, **TINY)
    ranks = result["ranks"]
    assert result["world_size"] == 2 and result["backend"] == "gloo"
    for rank in ranks:
        assert rank["max_replica_difference"] == [0.0] * steps        # the replicas are identical, bit for bit
    state = torch.load(f"{result['folder']}/{dd.STATE_FILE}")

    from course_utils import seed_everything
    seed_everything(42, frameworks=["torch"])
    model = GPT(GPTConfig(vocab_size=65, n_ctx=TINY["n_ctx"], n_layers=TINY["n_layers"], n_heads=TINY["n_heads"],
                          d_model=TINY["d_model"]))
    optimizer = dd.make_optimizer(model.parameters(), 1e-3)
    losses = [dd.train_step(model, optimizer, x, y)
              for x, y in dd.global_batches(dd.shakespeare_train_ids(), steps, 2 * TINY["batch_size"],
                                            TINY["n_ctx"], seed=42)]
    mean_rank_losses = [(a + b) / 2 for a, b in zip(ranks[0]["losses"], ranks[1]["losses"])]
    assert mean_rank_losses == pytest.approx(losses, abs=1e-5)
    for name, value in model.state_dict().items():
        torch.testing.assert_close(state[name], value, atol=1e-5, rtol=1e-4)


@two_cores
def test_a_rank_that_raises_fails_the_run_with_its_message():
    with pytest.raises(DistributedRunFailed) as info:
        launch("train", nproc=2, steps=3, fail_rank=1, fail_step=1, pg_timeout_s=20, timeout_s=240, **TINY)
    assert info.value.first_rank == 1
    assert "rank 1 was told to fail at step 1" in info.value.errors[1]
    assert "Rank 1 failed first" in str(info.value)


@two_cores
def test_a_rank_that_never_arrives_times_out_instead_of_hanging():
    with pytest.raises(DistributedRunFailed) as info:
        launch("allreduce", nproc=2, stall_rank=1, pg_timeout_s=2, mb=0.01, timeout_s=240)
    assert info.value.first_rank == 0
    assert "timed out" in info.value.errors[0].lower()


@two_cores
def test_allreduce_and_sharded_memory_in_two_processes():
    result = launch("allreduce", nproc=2, mb=0.1, repeats=2, timeout_s=240)
    before = [r["before"] for r in result["ranks"]]
    for r in result["ranks"]:
        assert r["after"] == [a + b for a, b in zip(*before)]
    memory = launch("memory", nproc=2, steps=2, timeout_s=240, **TINY)["ranks"]
    full = memory[0]["ddp"]["full_weights"]
    assert all(r["ddp"]["weights"] == full and r["ddp"]["optimizer"] == 2 * full for r in memory)
    assert sum(r["zero1"]["optimizer"] for r in memory) == 2 * full       # Adam's m and v, split over the ranks
    assert sum(r["fsdp"]["weights"] for r in memory) == full              # every weight on exactly one rank
    assert sum(r["fsdp"]["gradients"] for r in memory) == full
    for r in memory:
        assert r["zero1"]["losses"] == pytest.approx(r["ddp"]["losses"], abs=1e-5)
        assert r["fsdp"]["losses"] == pytest.approx(r["ddp"]["losses"], abs=1e-5)
    assert not math.isnan(memory[0]["fsdp"]["losses"][-1])
