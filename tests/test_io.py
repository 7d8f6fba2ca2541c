"""The model file format (tsrnn.io): arrays and metadata in, the same out, defects refused."""

import io
import json
import zipfile

import numpy as np
import pytest

from tsrnn.io import FormatError, read_archive, write_archive

ARRAYS = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "b": np.array(["x", "yz"]),
          "c": np.asfortranarray(np.arange(12.0).reshape(3, 4))}


def test_round_trip_to_the_exact_path(tmp_path):
    write_archive(tmp_path / "m.bin", {"class": "Thing", "n": [1, 2.5, None]}, ARRAYS)
    assert [p.name for p in tmp_path.iterdir()] == ["m.bin"]
    meta, arrays = read_archive(tmp_path / "m.bin")
    assert meta == {"class": "Thing", "n": [1, 2.5, None]}
    assert set(arrays) == set(ARRAYS)
    for k, a in ARRAYS.items():
        np.testing.assert_array_equal(arrays[k], a)
        assert arrays[k].flags.writeable and arrays[k].flags.c_contiguous


def test_a_failed_write_leaves_the_previous_file(tmp_path):
    path = tmp_path / "m.npz"
    write_archive(path, {"v": 1}, ARRAYS)
    with pytest.raises(TypeError, match="without pickle"):
        write_archive(path, {"v": 2}, {"o": np.array([object()])})
    assert read_archive(path)[0] == {"v": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["m.npz"]


def _rewrite(src, dst, edit_meta=None, members=None):
    with zipfile.ZipFile(src) as z:
        contents = {i.filename: z.read(i) for i in z.infolist()}
    if edit_meta is not None:
        meta = json.loads(np.load(io.BytesIO(contents["__meta__.npy"])).tobytes())
        edit_meta(meta)
        raw = json.dumps(meta).encode()
        buf = io.BytesIO()
        np.save(buf, np.frombuffer(raw, np.uint8))
        contents["__meta__.npy"] = buf.getvalue()
    contents.update(members or {})
    with zipfile.ZipFile(dst, "w") as z:
        for name, data in contents.items():
            if data is not None:
                z.writestr(name, data)


@pytest.mark.parametrize("edit,members,message", [
    (lambda m: m["arrays"]["a"].update(shape=[3, 2]), None, "holds float32"),
    (lambda m: m["arrays"]["a"].update(dtype="<f8"), None, "holds float32"),
    (lambda m: m["arrays"]["a"].update(dtype="|O"), None, "only numbers and strings"),
    (lambda m: m["arrays"]["a"].update(sha256="0" * 64), None, "checksum"),
    (lambda m: m["arrays"]["a"].update(shape=[-1]), None, "invalid shape"),
    (lambda m: m.update(format="other"), None, "does not say"),
    (lambda m: m.pop("arrays"), None, "lists no arrays"),
    (None, {"extra.npy": b"x"}, "differ from those listed"),
    (None, {"a.npy": None}, "differ from those listed"),
    (None, {"__meta__.npy": None}, "no metadata"),
])
def test_defects_raise_one_format_error(tmp_path, edit, members, message):
    write_archive(tmp_path / "m.npz", {}, ARRAYS)
    _rewrite(tmp_path / "m.npz", tmp_path / "bad.npz", edit, members)
    with pytest.raises(FormatError, match=message):
        read_archive(tmp_path / "bad.npz")


def test_size_limit_and_missing_files(tmp_path):
    write_archive(tmp_path / "m.npz", {}, ARRAYS)
    with pytest.raises(ValueError, match="max_bytes"):
        read_archive(tmp_path / "m.npz", max_bytes=16)
    with pytest.raises(ValueError, match="not a readable"):
        read_archive(tmp_path / "absent.npz")
