"""Reading dlib's serialized networks: primitives by hand, then the shipped face ResNet."""

from __future__ import annotations

import importlib.util
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from trust_lesson.vision.dlib_net_format import (
    Conv,
    DlibFormatError,
    DlibStream,
    FullyConnected,
    Pool,
    parse_dlib_network,
    read_dlib_network,
)


def dlib_int(value: int) -> bytes:
    """dlib's integer encoding: a size/sign byte, then the magnitude in little-endian."""
    magnitude = abs(value)
    body = magnitude.to_bytes(max(1, (magnitude.bit_length() + 7) // 8), "little")
    return bytes([len(body) | (0x80 if value < 0 else 0)]) + body


def resnet_path() -> Path:
    spec = importlib.util.find_spec("face_recognition_models")
    assert spec is not None and spec.submodule_search_locations
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "models" / "dlib_face_recognition_resnet_model_v1.dat"


@pytest.mark.parametrize("value", [0, 1, 150, 4736, -17, 2**40, -(2**62)])
def test_integers_round_trip(value: int) -> None:
    assert DlibStream(dlib_int(value)).read_int() == value


def test_a_float_is_a_mantissa_and_an_exponent() -> None:
    stream = DlibStream(bytes.fromhex("039a9999 8118") + dlib_int(0) + dlib_int(32000))
    assert stream.read_float() == pytest.approx(0.6, abs=1e-7)
    assert math.isinf(stream.read_float())


def test_a_version_2_tensor_holds_raw_float32() -> None:
    values = np.arange(6, dtype="<f4")
    header = b"".join(dlib_int(n) for n in (2, 1, 2, 3, 1))
    tensor = DlibStream(header + values.tobytes()).read_tensor()
    assert tensor.shape == (1, 2, 3, 1)
    np.testing.assert_array_equal(tensor.reshape(-1), values)


def test_strings_and_bools() -> None:
    stream = DlibStream(dlib_int(5) + b"relu_" + b"10")
    assert stream.read_string() == "relu_"
    assert (stream.read_bool(), stream.read_bool()) == (True, False)
    assert stream.at_end


@pytest.mark.parametrize("data", [b"", b"\x02\x01", b"\x31", bytes([0x0F])])
def test_bad_or_truncated_integers_are_refused(data: bytes) -> None:
    with pytest.raises(DlibFormatError):
        DlibStream(data).read_int()


def test_a_file_that_is_not_a_network_is_refused() -> None:
    with pytest.raises(DlibFormatError):
        parse_dlib_network(dlib_int(1) + dlib_int(4) + b"nope")


def test_the_face_resnet_is_read_whole() -> None:
    network = read_dlib_network(resnet_path())
    kinds = Counter(type(layer).__name__ for layer in network.layers)
    assert kinds == {
        "Conv": 29,
        "Affine": 29,
        "Relu": 29,
        "TagOrSkip": 22,
        "AddPrev": 14,
        "Pool": 6,
        "FullyConnected": 1,
    }
    assert network.input.mean_rgb == pytest.approx((122.782, 117.001, 104.298), abs=1e-4)
    assert (network.input.rows, network.input.cols) == (150, 150)
    assert network.loss.distance_threshold == pytest.approx(0.6)


def test_the_face_resnet_layers_have_dlib_shapes() -> None:
    layers = read_dlib_network(resnet_path()).layers
    first, last = layers[0], layers[-1]
    assert isinstance(first, Conv) and first.filters.shape == (32, 3, 7, 7)
    assert (first.stride, first.padding) == ((2, 2), (0, 0))
    assert isinstance(last, FullyConnected) and last.weights.shape == (256, 128)
    assert last.biases is None
    global_pool = layers[-2]
    assert isinstance(global_pool, Pool) and global_pool.window == (0, 0)
