"""Rendered exports of specs, kept on disk per spec version: a PDF of a spec with many cases
takes seconds to lay out, and a spec's export is public to whoever holds its link.

An entry's key is a digest of the spec as exported, the format and the code that renders it, so
a changed spec (or a new release) is rendered again; writing a spec's new entry removes its old
ones of that format. The folder is derived data: deleting it only costs renders."""

import hashlib
import json
import uuid
from collections.abc import Callable
from functools import cache
from pathlib import Path

from replan import PROJECT_ROOT

# What a rendered export depends on besides the spec: the writers, print templates and styles.
RENDER_INPUTS = (
    "gpp/exporters",
    "templates/gpp/print_spec.html",
    "templates/gpp/_print_macros.html",
    "static/css/print.css",
    "replan/translations",
)


@cache
def code_fingerprint() -> str:
    """Return a digest of the files exports are rendered with (names, sizes, times)."""
    digest = hashlib.sha256()
    for name in RENDER_INPUTS:
        root = PROJECT_ROOT / name
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


class ExportCache:
    """Rendered exports under `root`, or no caching at all when `root` is None."""

    def __init__(self, root: Path | None) -> None:
        self.root = root

    def content(self, spec: dict, fmt: str, render: Callable[[], bytes]) -> bytes:
        """Return the spec's export in `fmt`: kept from an earlier call, else rendered now."""
        if self.root is None:
            return render()
        folder = self.root / hashlib.sha256(str(spec["id"]).encode()).hexdigest()
        payload = json.dumps(spec, sort_keys=True, default=str, ensure_ascii=False)
        key = hashlib.sha256(f"{code_fingerprint()}\0{fmt}\0{payload}".encode()).hexdigest()
        path = folder / f"{key}.{fmt}"
        try:
            return path.read_bytes()
        except FileNotFoundError:
            pass
        content = render()
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob(f"*.{fmt}"):
            old.unlink(missing_ok=True)  # an earlier version of the spec
        # A name of this writer's own: two requests rendering the same export never share a file.
        part = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
        part.write_bytes(content)
        part.replace(path)
        return content
