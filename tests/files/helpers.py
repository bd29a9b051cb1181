"""Uploading through the API in tests, and finding the stored bytes on disk."""

from pathlib import Path
from typing import Any

from tests.conftest import Api, World

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def upload(
    api: Api,
    subject_type: str,
    subject_id: str,
    content: bytes = PNG,
    filename: str = "photo.png",
    content_type: str = "application/octet-stream",
    path: str = "/assets",
    **fields: Any,
) -> Any:
    """POST a multipart upload as the SDK sends it (the file in `name`)."""
    form = {
        "uploaded_from": "ko_field",
        "subject_type": subject_type,
        "subject_id": subject_id,
        "source": "local",
        **fields,
    }
    files = {"name": (filename, content, content_type)}
    return api.request("POST", path, data=form, files=files)


def stored(world: World, asset_id: str) -> Path:
    return Path(world.settings.files_dir) / world.org.id / asset_id


def stored_files(world: World) -> list[Path]:
    """Every stored file of the test organization (temporary files included)."""
    root = Path(world.settings.files_dir) / world.org.id
    return sorted(root.iterdir()) if root.is_dir() else []
