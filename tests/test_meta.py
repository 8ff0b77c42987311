"""The shared artifact-description reader (``wordvec.io.meta``) and the readers that use it."""
from __future__ import annotations

import json

import pytest

from wordvec.io.meta import check_meta_format, read_artifact_meta, read_meta_file
from wordvec.errors import CorruptFileError, InputError, WordvecError

SPEC = dict(kind="wordvec-thing", max_version=2, what="thing", remedy="rebuild it")


def write(folder, content, name="meta.json"):
    folder.mkdir(exist_ok=True)
    data = content if isinstance(content, bytes) else json.dumps(content).encode()
    (folder / name).write_bytes(data)
    return folder


def error_of(folder, **kwargs) -> WordvecError:
    with pytest.raises(WordvecError) as info:
        read_artifact_meta(folder, **{**SPEC, **kwargs})
    message = str(info.value)
    assert "\n" not in message and ("meta.json" in message or "state.json" in message)
    return info.value


@pytest.mark.parametrize("version", [1, 2])
def test_good_meta_is_returned(tmp_path, version):
    meta = {"format": "wordvec-thing", "version": version, "x": [1, 2]}
    assert read_artifact_meta(write(tmp_path / "a", meta), **SPEC) == meta


def test_other_file_name_and_version_key(tmp_path):
    meta = {"format": "wordvec-thing", "format_version": 1}
    folder = write(tmp_path / "a", meta, name="state.json")
    assert read_artifact_meta(folder, filename="state.json", version_key="format_version", **SPEC) == meta


def test_missing_file_names_the_folder_and_chosen_class(tmp_path):
    (tmp_path / "a").mkdir()
    err = error_of(tmp_path / "a")
    assert isinstance(err, CorruptFileError) and "missing" in str(err) and "rebuild it" in str(err)
    err = error_of(tmp_path / "a", missing_error=InputError, foreign="pass a thing")
    assert isinstance(err, InputError) and str(err).endswith("not a wordvec thing; pass a thing")


@pytest.mark.parametrize("content,words", [
    (b"", "not valid JSON"), (b"{not json", "not valid JSON"), (b"\xff\xfe{}", "not valid JSON"),
    (b"[1, 2]", "not a JSON object"), (b'"text"', "not a JSON object"),
], ids=["empty", "garbage", "bad-utf8", "list", "string"])
def test_damaged_json_is_corrupt(tmp_path, content, words):
    err = error_of(write(tmp_path / "a", content))
    assert type(err) is CorruptFileError and words in str(err) and str(err).endswith("; rebuild it")


def test_meta_json_that_is_a_folder_is_unreadable(tmp_path):
    (tmp_path / "a" / "meta.json").mkdir(parents=True)
    assert "unreadable" in str(error_of(tmp_path / "a"))


@pytest.mark.parametrize("fmt", [None, "wordvec-other", "x" * 500, ["wordvec-thing"]])
def test_other_format(tmp_path, fmt):
    err = error_of(write(tmp_path / "a", {"format": fmt, "version": 1}), foreign="pass a thing folder")
    assert "not a wordvec thing" in str(err) and str(err).endswith("pass a thing folder") and len(str(err)) < 300


def test_future_version_asks_to_upgrade(tmp_path):
    err = error_of(write(tmp_path / "a", {"format": "wordvec-thing", "version": 3}))
    assert "version 3 is newer" in str(err) and "upgrade wordvec or rebuild it" in str(err)


@pytest.mark.parametrize("version", [None, 0, -1, "2", 1.0, True])
def test_unsupported_version(tmp_path, version):
    err = error_of(write(tmp_path / "a", {"format": "wordvec-thing", "version": version}))
    assert "not supported" in str(err) and "versions 1 to 2" in str(err) and "upgrade" not in str(err)


def test_exact_version(tmp_path):
    meta = {"format": "wordvec-thing", "version": 1}
    with pytest.raises(CorruptFileError, match=r"reads version 2\); rebuild it"):
        check_meta_format(meta, "f/meta.json", **{**SPEC, "min_version": 2})


def test_read_meta_file_skips_the_format_check(tmp_path):
    assert read_meta_file(write(tmp_path / "a", {"anything": 1}), what="thing", remedy="r") == {"anything": 1}


# --- the readers built on it keep their own advice ------------------------------------------------------------
def _future(folder, key="version"):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta[key] = 99
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def test_readers_use_their_own_words(tmp_path):
    import numpy as np

    from wordvec.corpora.cache import build_token_cache, read_cache_meta
    from wordvec.corpora.cooccur import read_counts_meta
    from wordvec.corpora.counter import count_cooccurrences
    from wordvec.corpora.merge import load_counts_any
    from wordvec.corpora.tokenize import TokenizerSettings
    from wordvec.io.model_dir import read_meta, save_model_dir

    corpus = tmp_path / "c.txt"
    corpus.write_text("a b c\nb c d\n" * 5, encoding="utf-8")
    cache = build_token_cache([str(corpus)], TokenizerSettings(mode="whitespace"), output=tmp_path / "tokens",
                              workers=1)
    count_cooccurrences(cache, min_count=1, window=2).save(tmp_path / "counts")
    save_model_dir(tmp_path / "model", np.ones((len(cache.vocab), 2), np.float32), cache.vocab, {"kind": "pmi"})

    _future(tmp_path / "tokens")
    with pytest.raises(CorruptFileError, match="upgrade wordvec or delete .* and tokenize again"):
        read_cache_meta(tmp_path / "tokens")
    _future(tmp_path / "counts")
    with pytest.raises(CorruptFileError, match="upgrade wordvec or rebuild with `wordvec count`"):
        read_counts_meta(str(tmp_path / "counts"))
    with pytest.raises(CorruptFileError, match="upgrade wordvec or rebuild with `wordvec count`"):
        load_counts_any(str(tmp_path / "counts"))
    _future(tmp_path / "model", "format_version")
    with pytest.raises(CorruptFileError, match="upgrade wordvec or retrain the model"):
        read_meta(tmp_path / "model")
    (tmp_path / "model" / "meta.json").unlink()
    with pytest.raises(InputError, match="meta.json: missing.*model directory"):
        read_meta(tmp_path / "model")
    with pytest.raises(InputError, match="counts directory not found"):
        read_counts_meta(str(tmp_path / "nowhere"))
    with pytest.raises(InputError, match="meta.json: missing.*pass counts or shard directories"):
        load_counts_any(str(tmp_path / "model"))


def test_checkpoint_state_json(tmp_path):
    import numpy as np

    from wordvec.train.checkpoint import load_checkpoint, save_checkpoint

    state = dict(vectors=np.ones((3, 2), np.float32), accum=np.ones((3, 2), np.float32), epoch=1, loss=[0.5],
                 seconds=[0.1])
    save_checkpoint(tmp_path / "ck", state, {"dim": 2}, {"nnz": 4})
    assert load_checkpoint(tmp_path / "ck", {"dim": 2}, {"nnz": 4})["epoch"] == 1
    info = json.loads((tmp_path / "ck" / "state.json").read_text())
    info["format_version"] = 7
    (tmp_path / "ck" / "state.json").write_text(json.dumps(info))
    with pytest.raises(CorruptFileError, match=r"state.json: checkpoint format version 7 is newer.*upgrade wordvec"):
        load_checkpoint(tmp_path / "ck", {"dim": 2}, {"nnz": 4})
    (tmp_path / "ck" / "state.json").write_text("{oops")
    with pytest.raises(CorruptFileError, match=r"state.json: not valid JSON .*; delete .* and train again"):
        load_checkpoint(tmp_path / "ck", {"dim": 2}, {"nnz": 4})


@pytest.mark.parametrize("damage", [{"epoch": None}, {"epoch": "3"}, {"epoch": -1}, {"params": [1, 2]}, {"params": None}])
def test_checkpoint_state_json_without_epoch_or_settings(tmp_path, damage):
    """A state.json that passes the format check but lacks a usable epoch or settings is a one-line error."""
    import numpy as np

    from wordvec.train.checkpoint import load_checkpoint, save_checkpoint

    state = dict(vectors=np.ones((3, 2), np.float32), accum=np.ones((3, 2), np.float32), epoch=1, loss=[0.5],
                 seconds=[0.1])
    save_checkpoint(tmp_path / "ck", state, {"dim": 2}, {"nnz": 4})
    info = json.loads((tmp_path / "ck" / "state.json").read_text())
    for key, value in damage.items():
        if value is None:
            info.pop(key)
        else:
            info[key] = value
    (tmp_path / "ck" / "state.json").write_text(json.dumps(info))
    with pytest.raises(CorruptFileError, match=r"(lacks its settings or epoch|field (epoch|params)).*train again"):
        load_checkpoint(tmp_path / "ck", {"dim": 2}, {"nnz": 4})


@pytest.mark.parametrize("option", ["prior_count", "independence_weight"])
def test_checkpoint_from_before_an_option_resumes_with_it_off(tmp_path, option):
    """A state.json written before ``prior_count`` / ``independence_weight`` existed matches settings with the
    option at 0 (how it trained), not others."""
    import numpy as np

    from wordvec.train.checkpoint import load_checkpoint, save_checkpoint
    from wordvec.errors import MismatchError

    state = dict(vectors=np.ones((3, 2), np.float32), accum=np.ones((3, 2), np.float32), epoch=1, loss=[0.5],
                 seconds=[0.1])
    save_checkpoint(tmp_path / "ck", state, {"dim": 2}, {"nnz": 4})
    info = json.loads((tmp_path / "ck" / "state.json").read_text())
    info["params"].pop(option, None)  # as written before the option existed
    (tmp_path / "ck" / "state.json").write_text(json.dumps(info))
    assert load_checkpoint(tmp_path / "ck", {"dim": 2, option: 0.0}, {"nnz": 4})["epoch"] == 1
    with pytest.raises(MismatchError, match=f"{option}=0.0, not 1.0"):
        load_checkpoint(tmp_path / "ck", {"dim": 2, option: 1.0}, {"nnz": 4})
