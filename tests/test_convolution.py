"""Tests of course_utils.convolution (convolution, pooling, IoU and NMS in NumPy; chapter 05)."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils.convolution import (avg_pool2d, box_area, box_iou, conv2d, conv_output_size, max_pool2d,
                                      nms)

RNG = np.random.default_rng(5)


def _torch_conv(x, w, b, stride, padding):
    return F.conv2d(torch.tensor(x), torch.tensor(w), None if b is None else torch.tensor(b),
                    stride=stride, padding=padding).numpy()


# ---------------------------------------------------------------- conv_output_size
@pytest.mark.parametrize("size, k, s, p, expected", [(8, 3, 1, 0, 6), (8, 3, 1, 1, 8), (8, 3, 2, 1, 4),
                                                      (7, 3, 2, 0, 3), (5, 5, 1, 0, 1), (1, 3, 1, 1, 1)])
def test_conv_output_size_formula(size, k, s, p, expected):
    assert conv_output_size(size, k, s, p) == expected
    out = F.conv2d(torch.zeros(1, 1, size, size), torch.zeros(1, 1, k, k), stride=s, padding=p)
    assert out.shape[-1] == expected


@pytest.mark.parametrize("args, error, match", [
    ((8, 3, 0, 0), ValueError, "stride must be positive"),
    ((8, 3, -2, 0), ValueError, "stride must be positive"),
    ((8, 3, 1, -1), ValueError, "padding must be non-negative"),
    ((3, 5, 1, 0), ValueError, "larger than the padded input"),
    ((8, 3.0, 1, 0), TypeError, "kernel_size must be an integer"),
    ((8, 3, True, 0), TypeError, "stride must be an integer"),
    ((0, 1, 1, 0), ValueError, "size must be positive"),
])
def test_conv_output_size_rejects_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        conv_output_size(*args)


# ---------------------------------------------------------------- conv2d
@pytest.mark.parametrize("shape, out_channels, kernel, stride, padding", [
    ((2, 3, 9, 7), 4, (3, 3), 1, 0),
    ((1, 2, 8, 8), 5, (3, 3), 2, 1),
    ((3, 1, 5, 6), 2, (2, 3), (1, 2), (0, 1)),
    ((1, 1, 4, 4), 1, (4, 4), 1, 0),                  # the kernel exactly covers the image
])
def test_conv2d_equals_torch(shape, out_channels, kernel, stride, padding):
    x = RNG.normal(size=shape)
    w = RNG.normal(size=(out_channels, shape[1], *kernel))
    b = RNG.normal(size=out_channels)
    np.testing.assert_allclose(conv2d(x, w, b, stride, padding), _torch_conv(x, w, b, stride, padding),
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(conv2d(x, w, None, stride, padding), _torch_conv(x, w, None, stride, padding),
                               rtol=1e-10, atol=1e-12)


def test_conv2d_single_image_and_one_channel_forms():
    x = RNG.normal(size=(3, 6, 6))
    w = RNG.normal(size=(2, 3, 3, 3))
    np.testing.assert_allclose(conv2d(x, w), conv2d(x[None], w)[0])
    image, kernel = RNG.normal(size=(6, 7)), RNG.normal(size=(3, 2))
    out = conv2d(image, kernel, bias=0.5, padding=1)
    np.testing.assert_allclose(out, conv2d(image[None], kernel[None, None], bias=[0.5], padding=1)[0])
    assert out.shape == (6, 8)


def test_conv2d_by_hand_and_not_flipped():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[1.0, 0.0], [0.0, 0.0]])           # picks the top-left pixel of each window
    np.testing.assert_array_equal(conv2d(image, kernel), image[:3, :3])
    kernel = np.array([[0.0, 0.0], [0.0, 1.0]])           # ... the bottom-right pixel: no flip
    np.testing.assert_array_equal(conv2d(image, kernel), image[1:, 1:])


def test_conv2d_accepts_tensors_and_lists():
    x, w = torch.randn(1, 2, 5, 5), torch.randn(3, 2, 3, 3)
    np.testing.assert_allclose(conv2d(x, w), F.conv2d(x, w).double().numpy(), rtol=1e-5, atol=1e-6)
    assert conv2d([[1, 2], [3, 4]], [[1, 1], [1, 1]]).tolist() == [[10.0]]


@pytest.mark.parametrize("x, w, kwargs, error, match", [
    (np.zeros(5), np.zeros((3, 3)), {}, ValueError, r"must be an image \(H, W\)"),
    (np.zeros((1, 1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), {}, ValueError, "must be an image"),
    (np.zeros((5, 5)), np.zeros((1, 1, 3, 3)), {}, ValueError, "needs a 2-D kernel"),
    (np.zeros((1, 5, 5)), np.zeros((3, 3)), {}, ValueError, r"needs weight of shape \(C_out, C_in, kh, kw\)"),
    (np.zeros((2, 5, 5)), np.zeros((4, 3, 3, 3)), {}, ValueError, "2 input channel.*expects 3"),
    (np.zeros((3, 3)), np.zeros((5, 5)), {}, ValueError, "larger than the padded image"),
    (np.zeros((3, 3)), np.zeros((6, 6)), {"padding": 1}, ValueError, "larger than the padded image"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"stride": 0}, ValueError, "stride must be positive"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"stride": -1}, ValueError, "stride must be positive"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"stride": (1, 0)}, ValueError, "stride must be positive"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"stride": 1.5}, TypeError, "stride must be an integer"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"stride": True}, TypeError, "stride must be an integer"),
    (np.zeros((5, 5)), np.zeros((3, 3)), {"padding": -1}, ValueError, "padding must be non-negative"),
    (np.zeros((1, 5, 5)), np.zeros((2, 1, 3, 3)), {"bias": np.zeros(3)}, ValueError, "one number per output"),
    (np.zeros((1, 5, 5)), np.zeros((2, 1, 3, 3)), {"bias": 1.0}, ValueError, "one number per output"),
    ("image", np.zeros((3, 3)), {}, TypeError, "array of numbers"),
    ([[1, 2], [3]], np.zeros((1, 1)), {}, TypeError, "ragged"),
    (np.array([["a", "b"], ["c", "d"]]), np.zeros((1, 1)), {}, TypeError, "real numbers"),
    (np.zeros((0, 5)), np.zeros((1, 1)), {}, ValueError, "empty"),
    (np.zeros((5, 5)), np.zeros((0, 3)), {}, ValueError, "empty"),
])
def test_conv2d_rejects_bad_input(x, w, kwargs, error, match):
    with pytest.raises(error, match=match):
        conv2d(x, w, **kwargs)


# ---------------------------------------------------------------- pooling
@pytest.mark.parametrize("kernel, stride", [(2, None), (3, 2), ((2, 3), (1, 2)), (1, 1)])
def test_pooling_equals_torch(kernel, stride):
    x = RNG.normal(size=(2, 3, 9, 8))
    t = torch.tensor(x)
    np.testing.assert_array_equal(max_pool2d(x, kernel, stride), F.max_pool2d(t, kernel, stride).numpy())
    np.testing.assert_allclose(avg_pool2d(x, kernel, stride), F.avg_pool2d(t, kernel, stride).numpy(), rtol=1e-12)


def test_pooling_by_hand():
    x = np.array([[1, 2, 0, 0], [3, 4, 0, 8], [0, 0, 5, 5], [0, 1, 5, 5]], dtype=float)
    assert max_pool2d(x).tolist() == [[4, 8], [1, 5]]
    assert avg_pool2d(x).tolist() == [[2.5, 2], [0.25, 5]]


@pytest.mark.parametrize("x, kwargs, error, match", [
    (np.zeros((3, 3)), {"kernel_size": 4}, ValueError, "larger than the image"),
    (np.zeros((4, 4)), {"kernel_size": 0}, ValueError, "kernel_size must be positive"),
    (np.zeros((4, 4)), {"kernel_size": 2, "stride": 0}, ValueError, "stride must be positive"),
    (np.zeros((4, 4)), {"kernel_size": 2, "stride": -2}, ValueError, "stride must be positive"),
    (np.zeros((4, 4)), {"kernel_size": (2, 2, 2)}, TypeError, "pair of integers"),
    (np.zeros(4), {}, ValueError, "must be an image"),
])
def test_pooling_rejects_bad_input(x, kwargs, error, match):
    for pool in (max_pool2d, avg_pool2d):
        with pytest.raises(error, match=match):
            pool(x, **kwargs)


# ---------------------------------------------------------------- boxes
def _random_boxes(n, rng):
    xy = rng.uniform(0, 100, size=(n, 2))
    return np.hstack([xy, xy + rng.uniform(1, 40, size=(n, 2))])


def test_box_iou_by_hand():
    a = np.array([[0, 0, 2, 2]])
    b = np.array([[1, 0, 3, 2], [0, 0, 2, 2], [5, 5, 6, 6], [2, 0, 4, 2]])
    np.testing.assert_allclose(box_iou(a, b), [[1 / 3, 1.0, 0.0, 0.0]])   # touching edges do not overlap
    assert box_area(b).tolist() == [4, 4, 1, 4]
    assert box_iou([0, 0, 0, 0], [0, 0, 0, 0]).tolist() == [[0.0]]        # empty union: 0, not NaN


def test_box_iou_properties_and_keras():
    from course_utils import quiet_tensorflow
    quiet_tensorflow()
    import keras
    a, b = _random_boxes(25, RNG), _random_boxes(17, RNG)
    iou = box_iou(a, b)
    assert iou.shape == (25, 17) and np.all((0 <= iou) & (iou <= 1))
    np.testing.assert_allclose(iou, box_iou(b, a).T)
    np.testing.assert_allclose(np.diag(box_iou(a, a)), 1.0)
    expected = keras.ops.convert_to_numpy(keras.utils.bounding_boxes.compute_iou(a, b, "xyxy"))
    np.testing.assert_allclose(iou, expected, atol=1e-6)


def test_nms_by_hand():
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9]])
    scores = np.array([0.8, 0.9, 0.7, 0.6])
    keep = nms(boxes, scores, 0.5)
    assert keep.dtype == np.int64 and keep.tolist() == [1, 2]
    assert nms(boxes, scores, 1.0).tolist() == [1, 0, 2, 3]               # nothing overlaps more than 1
    assert nms(boxes, [0.5, 0.5, 0.5, 0.5], 0.5).tolist() == [0, 2]        # ties: lower index first
    assert nms(np.zeros((0, 4)), [], 0.5).tolist() == []


@pytest.mark.parametrize("threshold", [0.0, 0.2, 0.5, 0.8])
def test_nms_equals_tensorflow(threshold):
    from course_utils import quiet_tensorflow
    quiet_tensorflow()
    import tensorflow as tf
    boxes, scores = _random_boxes(60, RNG), RNG.uniform(size=60)
    expected = tf.image.non_max_suppression(boxes[:, [1, 0, 3, 2]], scores, max_output_size=60,
                                            iou_threshold=threshold).numpy()
    keep = nms(boxes, scores, threshold)
    assert keep.tolist() == expected.tolist()
    kept = box_iou(boxes[keep], boxes[keep])
    assert np.all(kept[~np.eye(len(keep), dtype=bool)] <= threshold)


@pytest.mark.parametrize("boxes, error, match", [
    (np.zeros((3, 5)), ValueError, r"shape \(N, 4\)"),
    (np.zeros((2, 2, 4)), ValueError, r"shape \(N, 4\)"),
    (np.array([[5, 0, 1, 2]]), ValueError, "x1 <= x2"),
    (np.array([[0, 3, 1, 2]]), ValueError, "y1 <= y2"),
    (np.array([[0, 0, np.nan, 2]]), ValueError, "NaN"),
    ("boxes", TypeError, "array of numbers"),
])
def test_boxes_reject_bad_input(boxes, error, match):
    with pytest.raises(error, match=match):
        box_iou(boxes, np.array([[0, 0, 1, 1]]))
    with pytest.raises(error, match=match):
        box_area(boxes)


@pytest.mark.parametrize("scores, threshold, error, match", [
    ([0.5, 0.4], 0.5, ValueError, "one score per box"),
    ([[0.5], [0.4], [0.3]], 0.5, ValueError, "one score per box"),
    ([0.5, np.nan, 0.3], 0.5, ValueError, "NaN"),
    ([0.5, 0.4, 0.3], 1.5, ValueError, "between 0 and 1"),
    ([0.5, 0.4, 0.3], -0.1, ValueError, "between 0 and 1"),
    ([0.5, 0.4, 0.3], "0.5", ValueError, "between 0 and 1"),
    ([0.5, 0.4, 0.3], True, ValueError, "between 0 and 1"),
])
def test_nms_rejects_bad_input(scores, threshold, error, match):
    boxes = np.array([[0, 0, 1, 1], [0, 0, 2, 2], [5, 5, 6, 6]])
    with pytest.raises(error, match=match):
        nms(boxes, scores, threshold)
