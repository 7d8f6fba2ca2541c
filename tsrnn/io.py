"""The pickle-free model file format: named arrays plus JSON metadata in a zip.

A model file is an ``.npz`` archive: one ``.npy`` member per array and one,
``__meta__``, holding UTF-8 JSON: the format name and version, the metadata of
the object saved (its own business, see the objects' ``_get_state``), and the
shape, dtype and SHA-256 of every array. This module knows files, not
estimators. Reading trusts nothing: the metadata is read first (within a size
limit), every member's header is compared with what the metadata declares
before any data is read, reads are bounded by the declared sizes (so a
compressed member cannot inflate beyond them), and the checksums are verified.
Any defect raises one ``ValueError``; no file content is ever executed.
"""

import hashlib
import json
import os
import tempfile
import zipfile

import numpy as np

FORMAT, VERSION = "tsrnn-model", 1
META = "__meta__"
#: Largest metadata member read (loss curves of long trainings included).
MAX_META_BYTES = 64 << 20
#: Default limit of the arrays' total size that :func:`read_archive` accepts.
MAX_BYTES = 4 << 30
#: Array dtypes a model file may hold: numbers and fixed-width strings.
_KINDS = "biufU"


class FormatError(ValueError):
    """A file that is not a well-formed tsrnn model file."""


def _digest(a):
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def write_archive(path, meta, arrays):
    """Write ``meta`` (JSON-able dict) and ``arrays`` (name -> ndarray) to ``path``.

    The file appears at ``path`` exactly (no suffix is added) and only once
    complete: it is written beside it and renamed, so a failed save leaves any
    earlier file in place.
    """
    arrays = {k: np.ascontiguousarray(a) for k, a in arrays.items()}  # headers in C order
    for key, a in arrays.items():
        if key == META or a.dtype.kind not in _KINDS:
            raise TypeError(f"array {key!r} ({a.dtype}) cannot be saved without pickle")
    listing = {k: {"shape": list(a.shape), "dtype": a.dtype.str, "sha256": _digest(a)}
               for k, a in arrays.items()}
    blob = json.dumps({"format": FORMAT, "version": VERSION, **meta, "arrays": listing},
                      allow_nan=True).encode()
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tsrnn-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **{META: np.frombuffer(blob, np.uint8)}, **arrays)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def read_archive(path, max_bytes=MAX_BYTES):
    """``(meta, arrays)`` of a file written by :func:`write_archive`, all checked.

    Parameters
    ----------
    path : str or path-like
    max_bytes : int, default=MAX_BYTES (4 GiB)
        Largest total size of the arrays accepted, checked before reading them.

    Raises
    ------
    ValueError
        If the file is missing, truncated, corrupted, altered, too large, or not a
        tsrnn model file; the message says which.
    """
    try:
        return _read(path, max_bytes)
    except FormatError as e:
        raise FormatError(f"{path} is not a valid tsrnn model file: {e}") from None
    except (OSError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as e:
        raise FormatError(f"{path} is not a readable tsrnn model file: {e}") from None
    except Exception as e:  # noqa: BLE001 - whatever a malformed file triggers, one error
        raise FormatError(f"{path} is not a readable tsrnn model file: "
                          f"{type(e).__name__}: {e}") from None


def _read(path, max_bytes):
    with zipfile.ZipFile(path) as archive:
        members = {info.filename: info for info in archive.infolist()}
        if f"{META}.npy" not in members:
            raise FormatError("it has no metadata")
        info = members[f"{META}.npy"]
        if info.file_size > MAX_META_BYTES:
            raise FormatError(f"its metadata declares {info.file_size} bytes, more than "
                              f"{MAX_META_BYTES}")
        blob = _member(archive, info, np.dtype(np.uint8), None)
        meta = json.loads(blob.tobytes().decode())
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise FormatError("it does not say it is one")
        if meta.get("version") != VERSION:
            raise FormatError(f"format version {meta.get('version')!r}; this tsrnn reads "
                              f"version {VERSION}")
        listing = _listing(meta.pop("arrays", None), max_bytes)
        names = {n[:-4] for n in members if n.endswith(".npy")} - {META}
        if names != set(listing) or any(not n.endswith(".npy") for n in members):
            raise FormatError(f"its arrays {sorted(names)} differ from those listed "
                              f"{sorted(listing)}")
        arrays = {}
        for key, (shape, dtype, digest) in listing.items():
            a = _member(archive, members[f"{key}.npy"], dtype, shape)
            if _digest(a) != digest:
                raise FormatError(f"array {key!r} does not match its checksum (altered or "
                                  "corrupted)")
            arrays[key] = a
    del meta["format"], meta["version"]
    return meta, arrays


def _listing(listing, max_bytes):
    """The declared arrays as ``{name: (shape, dtype, sha256)}``, within ``max_bytes``."""
    if not isinstance(listing, dict):
        raise FormatError("its metadata lists no arrays")
    out, total = {}, 0
    for key, spec in listing.items():
        if not isinstance(spec, dict) or set(spec) != {"shape", "dtype", "sha256"}:
            raise FormatError(f"array {key!r} is listed without shape, dtype and sha256")
        shape, dtype = spec["shape"], spec["dtype"]
        if (not isinstance(shape, list) or len(shape) > 8 or not all(
                isinstance(n, int) and not isinstance(n, bool) and 0 <= n < 2 ** 62
                for n in shape)):
            raise FormatError(f"array {key!r} has an invalid shape {shape!r}")
        if not isinstance(dtype, str) or len(dtype) > 16:
            raise FormatError(f"array {key!r} has an invalid dtype {dtype!r}")
        dtype = np.dtype(dtype)
        if dtype.kind not in _KINDS or dtype.hasobject:
            raise FormatError(f"array {key!r} has dtype {dtype}; only numbers and strings")
        total += int(np.prod(shape, dtype=object)) * dtype.itemsize
        if total > max_bytes:
            raise FormatError(f"its arrays declare more than max_bytes={max_bytes} bytes")
        if not isinstance(spec["sha256"], str):
            raise FormatError(f"array {key!r} has an invalid checksum")
        out[key] = (tuple(shape), dtype, spec["sha256"])
    return out


def _member(archive, info, dtype, shape):
    """One ``.npy`` member, whose header must declare ``dtype`` and ``shape`` (any 1-D
    length when None), read no further than the data they imply."""
    with archive.open(info) as f:
        version = np.lib.format.read_magic(f)
        readers = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}
        if version not in readers:
            raise FormatError(f"member {info.filename!r} has .npy version {version}")
        got_shape, fortran, got_dtype = readers[version](f)
        if fortran or got_dtype != dtype or (
                shape is not None and tuple(got_shape) != tuple(shape)) or (
                shape is None and len(got_shape) != 1):
            raise FormatError(f"member {info.filename!r} holds {got_dtype} {got_shape}"
                              f"{' in Fortran order' if fortran else ''}, listed as {dtype} "
                              f"{shape}")
        nbytes = int(np.prod(got_shape, dtype=object)) * dtype.itemsize
        if info.file_size != f.tell() + nbytes:
            raise FormatError(f"member {info.filename!r} is {info.file_size} bytes, its "
                              f"header implies {f.tell() + nbytes}")
        data = f.read(nbytes)
        if len(data) != nbytes:
            raise FormatError(f"member {info.filename!r} is truncated")
    return np.frombuffer(data, dtype).reshape(got_shape).copy()
