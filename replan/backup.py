"""Backups: one archive holding the database, the uploads, a manifest (versions and checksums)
and, only when asked, the secret key; and restoring such an archive into an empty instance.

The database is copied while the app runs: SQLite through its online backup API, PostgreSQL
through `pg_dump` in its custom format. The search index is not in the archive: it is rebuilt
from the database after a restore (by the caller, which knows the domains)."""

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from replan.clock import utcnow
from replan.migrations import alembic_config, upgrade
from replan.settings import Settings

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/replan.sqlite"
PG_MEMBER = "database/replan.pgdump"
SECRET_MEMBER = "secret_key"
UPLOADS = "uploads"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or a restore that cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    path: Path
    engine: str
    files: int
    size: int
    revisions: list[str]
    secret: bool


def app_version() -> str:
    try:
        return metadata.version("replan-city-life")
    except metadata.PackageNotFoundError:
        return "unknown"


def engine_of(db_url: str) -> str:
    backend = make_url(db_url).get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {backend}")
    return backend


def current_revisions(db_url: str) -> list[str]:
    """Return the Alembic revisions the database is at (several heads are possible)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return sorted(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def known_revisions(db_url: str) -> set[str]:
    script = ScriptDirectory.from_config(alembic_config(db_url))
    return {rev.revision for rev in script.walk_revisions()}


def head_revisions(db_url: str) -> list[str]:
    return sorted(ScriptDirectory.from_config(alembic_config(db_url)).get_heads())


# -- PostgreSQL tools ------------------------------------------------------------------------


def _libpq(db_url: str) -> tuple[str, dict[str, str]]:
    """Return a libpq URI without the password, and the environment that carries it."""
    url = make_url(db_url)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _major(version_text: str) -> int:
    match = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not match:
        raise BackupError(f"cannot read a version in {version_text!r}")
    return int(match.group(1))


def _pg_tool(name: str, db_url: str) -> str:
    """Find a PostgreSQL client tool no older than the server (pg_dump refuses newer servers)."""
    tool = shutil.which(name)
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    finally:
        engine.dispose()
    if tool is None:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL {server} client tools "
            f"(Debian: apt-get install postgresql-client-{server})"
        )
    found = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True)
    client = _major(found.stdout.rpartition("(PostgreSQL)")[2] or found.stdout)
    if client < server:
        raise BackupError(
            f"{name} is version {client} but the server is PostgreSQL {server}: install "
            f"postgresql-client-{server} (an older {name} cannot read a newer server)"
        )
    return tool


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.returncode}")


# -- Writing ---------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A file reader that hashes what tarfile reads from it."""

    def __init__(self, fh) -> None:
        self.fh, self.sha = fh, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.sha.update(data)
        return data


def _add(tar: tarfile.TarFile, name: str, path: Path, files: dict) -> None:
    with path.open("rb") as fh:
        info = tar.gettarinfo(fileobj=fh, arcname=name)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = 0o600
        reader = _Hashing(fh)
        tar.addfile(info, reader)
    files[name] = {"sha256": reader.sha.hexdigest(), "size": info.size}


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, files: dict | None) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), 0o600, int(utcnow().timestamp())
    tar.addfile(info, io.BytesIO(data))
    if files is not None:
        files[name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def _dump_database(settings: Settings, engine: str, into: Path) -> Path:
    """Write a consistent copy of the database into a work folder and return its path."""
    if engine == "sqlite":
        source = make_url(settings.db_url).database
        if not source or source == ":memory:" or not Path(source).exists():
            raise BackupError(f"there is no SQLite database at {source}")
        target = into / "replan.sqlite"
        src = sqlite3.connect(f"file:{quote(source)}?mode=ro", uri=True, timeout=30)
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: a consistent snapshot even while the app writes
        finally:
            dst.close()
            src.close()
        return target
    tool = _pg_tool("pg_dump", settings.db_url)
    uri, env = _libpq(settings.db_url)
    target = into / "replan.pgdump"
    _run([tool, "--format=custom", f"--file={target}", f"--dbname={uri}"], env, "pg_dump")
    return target


def create_backup(*, settings: Settings, path: Path, include_secret: bool = False) -> Summary:
    """Write one archive (tar.gz) of the database, the uploads and a manifest to `path`."""
    engine = engine_of(settings.db_url)
    revisions = current_revisions(settings.db_url)
    if not revisions:
        raise BackupError("the database has no schema yet: nothing to back up (run `replan init`)")
    path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict] = {}
    part = path.with_name(path.name + ".part")
    with tempfile.TemporaryDirectory(prefix=".replan-backup-", dir=path.parent) as work:
        dump = _dump_database(settings, engine, Path(work))
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # personal data inside
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add(tar, SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER, dump, files)
                # After the database: a file uploaded meanwhile is an orphan, never a hole.
                uploads = settings.upload_dir
                for file in sorted(uploads.rglob("*")) if uploads.is_dir() else []:
                    if file.is_file() and not file.name.endswith(".part"):
                        name = f"{UPLOADS}/{file.relative_to(uploads).as_posix()}"
                        try:
                            _add(tar, name, file, files)
                        except FileNotFoundError:  # deleted while we walked
                            continue
                if include_secret:
                    _add_bytes(tar, SECRET_MEMBER, settings.secret.encode(), files)
                manifest = {
                    "format": FORMAT,
                    "app_version": app_version(),
                    "alembic_revisions": revisions,
                    "created_at": utcnow().isoformat(timespec="seconds"),
                    "engine": engine,
                    "files": files,
                }
                _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2).encode(), None)
            part.replace(path)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    size = sum(f["size"] for f in files.values())
    return Summary(path, engine, len(files), size, revisions, include_secret)


# -- Restoring -------------------------------------------------------------------------------


def read_manifest(tar: tarfile.TarFile, *, db_url: str) -> dict:
    """Return the archive's manifest, refusing a format or a schema newer than this code."""
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.loads(tar.extractfile(member).read())  # type: ignore[union-attr]
    except (KeyError, AttributeError, ValueError) as exc:
        raise BackupError(
            "the archive has no readable manifest: it is not a RE-PLAN backup"
        ) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise BackupError("the archive's manifest is damaged")
    fmt = manifest.get("format")
    if not isinstance(fmt, int) or fmt > FORMAT:
        raise BackupError(
            f"the archive has format {fmt}, newer than this version of RE-PLAN reads ({FORMAT}): "
            "restore it with the version that wrote it "
            f"({manifest.get('app_version', 'unknown')}) or newer"
        )
    unknown = sorted(set(manifest.get("alembic_revisions") or []) - known_revisions(db_url))
    if unknown:
        raise BackupError(
            f"the archive's database is at schema revision {', '.join(unknown)}, which this "
            f"version of RE-PLAN does not know: restore it with version "
            f"{manifest.get('app_version', 'unknown')} or newer"
        )
    if manifest.get("engine") not in ("sqlite", "postgresql"):
        raise BackupError("the archive's manifest names no database engine")
    return manifest


def _safe_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def _extract_verified(tar: tarfile.TarFile, manifest: dict, into: Path) -> None:
    """Extract every file the manifest lists, checking its size and checksum."""
    expected: dict[str, dict] = manifest["files"]
    seen: set[str] = set()
    for member in tar:
        if member.name == MANIFEST:
            continue
        if member.name not in expected or not member.isfile() or not _safe_name(member.name):
            raise BackupError(
                f"the archive holds {member.name!r}, which its manifest does not list"
            )
        target = into / member.name
        target.parent.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256()
        source = tar.extractfile(member)
        with target.open("wb") as out:
            while chunk := source.read(CHUNK):  # type: ignore[union-attr]
                sha.update(chunk)
                out.write(chunk)
        want = expected[member.name]
        if sha.hexdigest() != want.get("sha256") or member.size != want.get("size"):
            raise BackupError(f"the archive is damaged: {member.name} does not match its checksum")
        seen.add(member.name)
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"the archive is damaged: {missing[0]} is missing")


def _check_empty(settings: Settings, engine: str) -> None:
    data = settings.data_path
    if data.exists() and any(p.is_file() for p in data.rglob("*")):
        raise BackupError(
            f"the data dir {data} is not empty: restore into a new, empty data dir "
            "(REPLAN_DATA_DIR) so that nothing is overwritten"
        )
    target = engine_of(settings.db_url)
    if target != engine:
        raise BackupError(
            f"the archive holds a {engine} database but REPLAN_DATABASE_URL points to {target}"
        )
    if target == "sqlite":
        db_file = make_url(settings.db_url).database
        if not db_file or not Path(db_file).exists() or Path(db_file).stat().st_size == 0:
            return
    db = create_engine(settings.db_url)
    try:
        tables = inspect(db).get_table_names()
    finally:
        db.dispose()
    if tables:
        raise BackupError(
            f"the database {make_url(settings.db_url).render_as_string()} is not empty "
            f"({len(tables)} tables): restore into a new, empty database"
        )


def _restore_database(settings: Settings, engine: str, staged: Path) -> None:
    if engine == "sqlite":
        target = Path(make_url(settings.db_url).database or "")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)  # an empty file left by an earlier connection
        shutil.move(staged / SQLITE_MEMBER, target)
        return
    tool = _pg_tool("pg_restore", settings.db_url)
    uri, env = _libpq(settings.db_url)
    args = [tool, "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={uri}"]
    _run([*args, str(staged / PG_MEMBER)], env, "pg_restore")


def restore_backup(*, settings: Settings, path: Path) -> Summary:
    """Check an archive, then restore it into an empty data dir and database and migrate it."""
    try:
        tar = tarfile.open(path, mode="r:*")
    except FileNotFoundError as exc:
        raise BackupError(f"there is no file {path}") from exc
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"the archive {path} is damaged or not a backup ({exc})") from exc
    with tar:
        try:
            manifest = read_manifest(tar, db_url=settings.db_url)
            engine = manifest["engine"]
            _check_empty(settings, engine)
            data = settings.data_path
            data.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=".restore-", dir=data) as work:
                staged = Path(work)
                _extract_verified(tar, manifest, staged)
                _restore_database(settings, engine, staged)
                if (staged / UPLOADS).is_dir():
                    shutil.move(staged / UPLOADS, settings.upload_dir)
                secret = staged / SECRET_MEMBER
                if secret.exists():
                    key_file = data / "secret_key"
                    shutil.move(secret, key_file)
                    key_file.chmod(0o600)
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise BackupError(f"the archive {path} is damaged ({exc})") from exc
    upgrade(settings.db_url)
    files = manifest["files"]
    return Summary(
        path=path,
        engine=engine,
        files=len(files),
        size=sum(f.get("size", 0) for f in files.values()),
        revisions=head_revisions(settings.db_url),
        secret=SECRET_MEMBER in files,
    )
