from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
TELECOM = SHARED / "data" / "telecom-nps"


@pytest.fixture
def shared_telecom():
    if not (TELECOM / "comments.csv").exists():
        pytest.skip(f"validation data not present: {TELECOM} (../shared is only on team machines)")
    return TELECOM


@pytest.fixture
def write(tmp_path):
    """Write bytes or text to a file in tmp_path and return its path."""

    def _write(name: str, content, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode(encoding)
        path.write_bytes(content)
        return path

    return _write
