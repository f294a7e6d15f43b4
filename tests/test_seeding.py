import random
import sys

import numpy as np
import pytest
import torch

from course_utils.seeding import seed_everything


def _draw():
    return random.random(), np.random.rand(), torch.rand(1).item()


def test_same_seed_same_numbers_different_seed_different_numbers():
    seed_everything(123, frameworks=["torch"])
    a = _draw()
    seed_everything(123, frameworks=["torch"])
    b = _draw()
    seed_everything(124, frameworks=["torch"])
    c = _draw()
    assert a == b
    assert a != c


def test_auto_seeds_only_imported_frameworks():
    seeded = seed_everything(1)
    assert seeded["python"] and seeded["numpy"]
    assert ("torch" in seeded) == ("torch" in sys.modules)
    assert ("tensorflow" in seeded) == ("tensorflow" in sys.modules)


def test_tensorflow_is_seeded_when_asked():
    import tensorflow as tf
    seed_everything(5, frameworks=["tensorflow"])
    x = tf.random.uniform((2,)).numpy()
    seed_everything(5, frameworks=["tensorflow"])
    assert np.array_equal(x, tf.random.uniform((2,)).numpy())


@pytest.mark.parametrize("bad", [-1, 2**32, 1.5, "42", True])
def test_bad_seed(bad):
    with pytest.raises(ValueError, match="seed must be an integer"):
        seed_everything(bad)


def test_bad_frameworks():
    with pytest.raises(ValueError, match="unknown framework"):
        seed_everything(1, frameworks=["jax"])
    with pytest.raises(TypeError, match='frameworks must be "auto"'):
        seed_everything(1, frameworks="torch")
