import pytest
import torch

from course_utils.device import FORCE_ENV, describe_devices, get_device


def test_auto_picks_an_available_device(monkeypatch):
    monkeypatch.delenv(FORCE_ENV, raising=False)
    dev = get_device()
    expected = "cuda" if torch.cuda.is_available() else ("mps" if torch.backends.mps.is_available() else "cpu")
    assert dev.type == expected
    assert torch.zeros(1, device=dev).device.type == expected


def test_cpu_always_available_and_env_override(monkeypatch):
    assert get_device("cpu") == torch.device("cpu")
    monkeypatch.setenv(FORCE_ENV, "cpu")
    assert get_device() == torch.device("cpu")


def test_unavailable_device_says_what_to_do():
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="Change runtime type"):
            get_device("cuda")
    if not torch.backends.mps.is_available():
        with pytest.raises(RuntimeError, match="MPS was requested"):
            get_device("mps")


@pytest.mark.parametrize("bad", ["gpu", "", 0])
def test_unknown_device_name(bad):
    with pytest.raises(ValueError, match="prefer must be one of"):
        get_device(bad)


def test_describe_devices_lists_both_frameworks():
    rows = describe_devices()
    assert [r["framework"] for r in rows] == ["PyTorch", "TensorFlow"]
    assert all(set(r) == {"framework", "device", "name", "threads"} for r in rows)
