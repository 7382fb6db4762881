"""The Try it page's files: the models chapters 3 and 6 keep, and onnxruntime-web, copied into the site."""

import json

import pytest

from emocourse import book_demo


def _kept(home, name):
    folder = home / "cache" / "book-demo" / name
    folder.mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"onnx " + name.encode())
    (folder / "model.json").write_text(json.dumps({"onnx": {"file": "model.onnx"}}))


def test_the_kept_models_and_the_runtime_land_in_the_site(tmp_path, monkeypatch):
    monkeypatch.setenv("EMOCOURSE_HOME", str(tmp_path / "home"))
    runtime = tmp_path / "dist"
    runtime.mkdir()
    for file in book_demo.RUNTIME:
        (runtime / file).write_text(file)
    with pytest.raises(SystemExit, match=r"book-demo/faces: no model.onnx, model.json; chapter 6's network"):
        book_demo.copy_into(tmp_path / "site", runtime)
    for name in book_demo.MODELS:
        _kept(tmp_path / "home", name)
    demo = book_demo.copy_into(tmp_path / "site", runtime)
    assert demo == tmp_path / "site" / "_static" / "demo"
    assert (demo / "affect" / "model.onnx").read_bytes() == b"onnx affect"
    assert sorted(p.name for p in (demo / "ort").iterdir()) == sorted(book_demo.RUNTIME)
    (runtime / "ort-wasm-simd-threaded.wasm").unlink()
    with pytest.raises(SystemExit, match="ort-wasm-simd-threaded.wasm: missing; npm ci --prefix tools/onnxruntime-web"):
        book_demo.copy_into(tmp_path / "site", runtime)
