"""Shared fixtures. Real data lives in ../shared/data beside the checkout; tests that need it skip without it."""
from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

# A test run started in the background of a non-interactive shell (CI runners, `cmd &`) inherits an ignored
# SIGINT, and so would every `wordvec` child; the Ctrl-C tests need Python's usual handler, as in a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

SHARED_DATA = Path(os.environ.get("WORDVEC_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"))


def shared_file(relative: str) -> Path:
    """Path of a file under ../shared/data, or skip the calling test when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"shared data not available: {path}")
    return path


@pytest.fixture
def shared_data():
    """The ``shared_file`` helper as a fixture: ``shared_data("corpora/zh_small.txt.xz")``."""
    return shared_file


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long checks on the full corpora; run with WORDVEC_SLOW=1")
    # keep token caches of the whole run out of the user's home
    if "WORDVEC_CACHE_DIR" not in os.environ:
        import tempfile

        os.environ["WORDVEC_CACHE_DIR"] = tempfile.mkdtemp(prefix="wordvec-test-cache-")


def pytest_collection_modifyitems(config, items):
    if os.environ.get("WORDVEC_SLOW") == "1":
        return
    skip = pytest.mark.skip(reason="slow; set WORDVEC_SLOW=1 to run")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def serve_models(tmp_path_factory):
    """Paths of a tiny PMI model and a tiny PPMI-SVD model (tests/_serve_models.py), trained once a run."""
    from _serve_models import train_models

    return train_models(tmp_path_factory.mktemp("serve-models"))
