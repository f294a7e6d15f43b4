"""Tests for course_utils.compression (chapter 09): size on disk, sparsity, latency, int8, pruning."""
import io
import warnings

import pytest
import torch
from torch import nn

from course_utils.compression import (Latency, linear_state_dict, measure_latency, prune_linear,
                                      quantize_linear_int8, size_on_disk, sparsity)


def small_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Embedding(50, 16), nn.Flatten(), nn.Linear(16 * 4, 32), nn.ReLU(), nn.Linear(32, 2))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(1)
        self.body = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64))
        self.classifier = nn.Linear(64, 2)

    def forward(self, x):
        return self.classifier(self.body(x))


# ------------------------------------------------------------------------------- size_on_disk
def test_size_on_disk_matches_torch_save_bytes():
    model = small_model()
    buf = io.BytesIO()
    torch.save(model.state_dict(), buf)
    # the zip archive torch.save writes names its records after the file, so a few bytes differ
    assert abs(size_on_disk(model) - len(buf.getvalue())) < 1024
    assert size_on_disk(model.state_dict()) == size_on_disk(model)


def test_size_grows_with_parameters_and_gzip_of_zeros_is_small():
    big = nn.Linear(256, 256)
    nn.init.zeros_(big.weight)
    raw = size_on_disk(big)
    assert raw > 256 * 256 * 4
    assert size_on_disk(big, compress=True) < raw / 20          # zeros compress to almost nothing
    assert size_on_disk(big, compress=True, compresslevel=1) < raw / 10


def test_size_on_disk_bad_input():
    with pytest.raises(TypeError, match="torch.nn.Module or a state_dict"):
        size_on_disk([1, 2, 3])
    with pytest.raises(TypeError, match="compress must be True or False"):
        size_on_disk(nn.Linear(2, 2), compress="yes")
    with pytest.raises(ValueError, match="compresslevel"):
        size_on_disk(nn.Linear(2, 2), compress=True, compresslevel=0)


def test_linear_state_dict_float_and_int8():
    model = small_model()
    sd = linear_state_dict(model)
    assert set(sd) == {"2.weight", "2.bias", "4.weight", "4.bias"}      # the embedding is left out
    q = quantize_linear_int8(model)
    qsd = linear_state_dict(q)
    assert qsd and all(k.startswith(("2.", "4.")) for k in qsd)
    assert size_on_disk(qsd) < 0.6 * size_on_disk(sd)


def test_linear_state_dict_bad_input():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        linear_state_dict({"w": torch.zeros(2)})
    with pytest.raises(ValueError, match="no Linear layers"):
        linear_state_dict(nn.Embedding(5, 3))


# ----------------------------------------------------------------------------------- sparsity
def test_sparsity_counts_zero_linear_weights():
    model = nn.Sequential(nn.Linear(4, 5, bias=False), nn.Linear(5, 2))
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[0].weight[:2] = 0          # 8 of 20 zero
        model[1].weight.fill_(0.0)       # 10 of 10 zero; biases are not counted
    assert sparsity(model) == pytest.approx(18 / 30)


def test_sparsity_bad_input():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        sparsity(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="no float torch.nn.Linear"):
        sparsity(nn.Conv2d(1, 1, 3))
    with pytest.raises(ValueError, match="measure sparsity before quantising"):
        sparsity(quantize_linear_int8(nn.Sequential(nn.Linear(4, 4))))


# ------------------------------------------------------------------------------------ latency
def test_measure_latency_calls_warmup_and_repeats():
    calls = []
    result = measure_latency(lambda: calls.append(1), repeats=4, warmup=2)
    assert len(calls) == 6
    assert isinstance(result, Latency) and len(result.times) == 4
    assert all(t >= 0 for t in result.times)
    assert min(result.times) <= result.median <= max(result.times)
    assert result.spread >= 0 and result.threads == torch.get_num_threads()


def test_latency_median_ignores_one_slow_run():
    assert Latency(times=[0.1, 0.1, 5.0, 0.1, 0.1]).median == 0.1


def test_measure_latency_bad_input():
    with pytest.raises(TypeError, match="function"):
        measure_latency(3)
    with pytest.raises(ValueError, match="repeats"):
        measure_latency(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="warmup"):
        measure_latency(lambda: None, warmup=-1)
    with pytest.raises(ValueError, match="repeats"):
        measure_latency(lambda: None, repeats=2.5)


# ----------------------------------------------------------------------------------- quantise
def test_quantize_linear_int8_is_close_and_leaves_the_original_alone():
    model = Net().eval()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(8, 64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # the deprecation warnings must not escape
        q = quantize_linear_int8(model)
    from torch.ao.nn.quantized.dynamic import Linear as QLinear
    assert isinstance(q.classifier, QLinear) and isinstance(q.body[0], QLinear)
    assert isinstance(model.classifier, nn.Linear)     # the original is untouched
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    with torch.inference_mode():
        ref, out = model(x), q(x)
    assert (out - ref).abs().max() < 0.05 * ref.abs().max() + 1e-3


def test_quantize_only_the_named_module():
    from torch.ao.nn.quantized.dynamic import Linear as QLinear
    q = quantize_linear_int8(Net(), only=["classifier"])
    assert isinstance(q.classifier, QLinear)
    assert type(q.body[0]) is nn.Linear
    q2 = quantize_linear_int8(Net(), only=["body"])     # a container: its Linear layers are quantised
    assert isinstance(q2.body[2], QLinear) and type(q2.classifier) is nn.Linear


def test_quantize_bad_input():
    with pytest.raises(TypeError, match="torch.nn.Module"):
        quantize_linear_int8("model")
    with pytest.raises(ValueError, match="no torch.nn.Linear"):
        quantize_linear_int8(nn.Embedding(4, 2))
    with pytest.raises(ValueError, match="no submodule 'head'"):
        quantize_linear_int8(Net(), only=["head"])
    with pytest.raises(ValueError, match="contains no nn.Linear"):
        quantize_linear_int8(nn.Sequential(nn.Linear(2, 2), nn.ReLU()), only=["1"])
    with pytest.raises(TypeError, match="list of submodule names"):
        quantize_linear_int8(Net(), only="classifier")


# -------------------------------------------------------------------------------------- prune
@pytest.mark.parametrize("scope", ["global", "layer"])
@pytest.mark.parametrize("amount", [0.0, 0.3, 0.7])
def test_prune_linear_reaches_the_sparsity_and_is_permanent(scope, amount):
    model = Net()
    pruned = prune_linear(model, amount, scope=scope)
    assert sparsity(pruned) == pytest.approx(amount, abs=0.002)
    assert sparsity(model) == 0.0                                   # a copy was pruned
    for m in pruned.modules():
        if isinstance(m, nn.Linear):
            assert not hasattr(m, "weight_orig") and not hasattr(m, "weight_mask")
            assert not m._forward_pre_hooks
    assert size_on_disk(pruned) == size_on_disk(model)              # zeros take as much room as numbers


def test_prune_keeps_the_largest_weights():
    model = nn.Sequential(nn.Linear(4, 1, bias=False))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([[0.1, -3.0, 0.2, 2.0]]))
    prune_linear(model, 0.5, inplace=True)
    assert model[0].weight.tolist() == [[0.0, -3.0, 0.0, 2.0]]


def test_layer_scope_prunes_every_layer_equally_global_does_not():
    model = Net()
    with torch.no_grad():
        model.classifier.weight.mul_(100)                            # large weights survive global ranking
    glob = prune_linear(model, 0.5, scope="global")
    layer = prune_linear(model, 0.5, scope="layer")
    assert (glob.classifier.weight == 0).float().mean() < 0.05
    assert (layer.classifier.weight == 0).float().mean() == pytest.approx(0.5)


def test_prune_bad_input():
    with pytest.raises(ValueError, match="0 <= amount < 1"):
        prune_linear(Net(), 1.0)
    with pytest.raises(ValueError, match="0 <= amount < 1"):
        prune_linear(Net(), 30)
    with pytest.raises(ValueError, match="0 <= amount < 1"):
        prune_linear(Net(), float("nan"))
    with pytest.raises(ValueError, match="scope"):
        prune_linear(Net(), 0.5, scope="channels")
    with pytest.raises(TypeError, match="inplace"):
        prune_linear(Net(), 0.5, inplace=1)
    with pytest.raises(ValueError, match="no float torch.nn.Linear"):
        prune_linear(nn.Embedding(3, 3), 0.5)
    with pytest.raises(TypeError, match="torch.nn.Module"):
        prune_linear(None, 0.5)


def test_gzip_of_pruned_model_is_smaller():
    model = nn.Linear(512, 512)
    dense = size_on_disk(model, compress=True, compresslevel=1)
    sparse = size_on_disk(prune_linear(model, 0.9), compress=True, compresslevel=1)
    assert sparse < 0.5 * dense


def test_a_single_linear_layer_is_quantised_not_returned_as_it_was():
    """Issue 9: quantize_dynamic leaves a bare nn.Linear (the model itself) unchanged; the helper must not."""
    from torch.ao.nn.quantized.dynamic import Linear as DynamicQuantizedLinear
    torch.manual_seed(0)
    layer = nn.Linear(64, 64)
    q = quantize_linear_int8(layer)
    assert isinstance(q, DynamicQuantizedLinear) and type(layer) is nn.Linear      # the original is untouched
    assert size_on_disk(q) < size_on_disk(layer) / 2                                 # int8 weights: ~4x smaller
    x = torch.randn(8, 64)
    with torch.no_grad():
        assert torch.allclose(q(x), layer(x), atol=0.05)


def test_nothing_quantisable_is_an_error():
    """nn.MultiheadAttention's out_proj is a Linear subclass that quantize_dynamic skips: refuse, do not copy."""
    with pytest.raises(ValueError, match="none of the Linear layers of MultiheadAttention could be quantised"):
        quantize_linear_int8(nn.MultiheadAttention(8, 2))
