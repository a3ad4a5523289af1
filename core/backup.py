"""Backup and restore of the whole installation: the PostgreSQL database (pg_dump's custom format) and the
media files (uploads, photos, export files), in one dated archive.

    archive = backup_create(directory=Path("/var/backups/poverty"))
    backup_restore(archive=archive)

The archive is a .tar.gz holding ``manifest.json`` (when, which database, each table's row count),
``database.dump`` and ``media/``. A restore replaces the database's contents and the media folder with the
archive's. Row counts are checked against the manifest after a restore.

The media are MEDIA_ROOT's files, or, when uploads live in an S3-compatible bucket (MEDIA_S3_BUCKET), every
object under the storage's prefix, read and written back through the same storage the app uses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

MANIFEST, DUMP, MEDIA = "manifest.json", "database.dump", "media"


class BackupError(Exception):
    """Backup or restore could not be done; the message says why, in Chinese."""


@dataclass(frozen=True)
class BackupResult:
    archive: Path
    tables: dict[str, int]
    media_files: int


def _database() -> dict:
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError(
            "备份与恢复需要 PostgreSQL 数据库（DATABASE_URL=postgres://…）；SQLite 请直接复制数据库文件。"
        )
    return db


def _pg_env(db: dict) -> tuple[list[str], dict[str, str]]:
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    tool = shutil.which(command[0])
    if tool is None:
        raise BackupError(
            f"找不到 {command[0]}：请安装 PostgreSQL 客户端（Debian 软件包 postgresql-client）。"
        )
    done = subprocess.run([tool, *command[1:]], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{what}失败：{done.stderr.strip()[-500:]}")


def table_row_counts() -> dict[str, int]:
    """Every table of the database with its number of rows (the manifest, and the check after a restore)."""
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _bucket():
    """The default storage when it is not the local folder (an S3 bucket), else None."""
    from django.core.files.storage import FileSystemStorage, storages

    storage = storages["default"]
    return None if isinstance(storage, FileSystemStorage) else storage


def _stored_names(storage, folder: str = "") -> list[str]:
    """Every file of ``storage`` under ``folder``, as storage names (a/b/c.jpg)."""
    dirs, files = storage.listdir(folder)
    names = [f"{folder}/{f}" if folder else f for f in files]
    for d in dirs:
        names += _stored_names(storage, f"{folder}/{d}" if folder else d)
    return names


def _add_bucket(tar: tarfile.TarFile, storage, names: list[str]) -> None:
    for name in names:
        info = tarfile.TarInfo(f"{MEDIA}/{name}")
        info.size = storage.size(name)
        info.mtime = int(timezone.now().timestamp())
        with storage.open(name, "rb") as source:
            tar.addfile(info, source)


def _restore_bucket(storage, restored: Path) -> int:
    """Empty the bucket's prefix, then put back every file of the archive under its own name."""
    from django.core.files import File

    for name in _stored_names(storage):
        storage.delete(name)
    count = 0
    if restored.exists():
        for path in sorted(p for p in restored.rglob("*") if p.is_file()):
            name = path.relative_to(restored).as_posix()
            with path.open("rb") as source:
                saved = storage.save(name, File(source, name=path.name))
            if saved != name:
                raise BackupError(f"恢复媒体文件 {name} 时存储改用了另一个名字（{saved}）。")
            count += 1
    return count


def backup_create(*, directory: Path) -> BackupResult:
    db = _database()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"poverty_tracker-{stamp}.tar.gz"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / DUMP
        args, env = _pg_env(db)
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(dump), *args],
            env,
            "导出数据库",
        )
        tables = table_row_counts()
        bucket = _bucket()
        if bucket is not None:
            bucket_names = _stored_names(bucket)
            media_files = len(bucket_names)
        else:
            media_files = sum(1 for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else 0
        manifest = {
            "created_at": timezone.now().isoformat(),
            "database": db["NAME"],
            "tables": tables,
            "media_files": media_files,
        }
        (Path(work) / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8"
        )
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(Path(work) / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP)
            if bucket is not None:
                _add_bucket(tar, bucket, bucket_names)
            elif media_root.exists():
                tar.add(media_root, arcname=MEDIA)
        partial.rename(archive)  # a half-written archive never carries the final name
    return BackupResult(archive=archive, tables=tables, media_files=media_files)


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    """Only regular files and folders under the three known names: an archive is hostile until checked."""
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"备份文件中有不安全的条目：{member.name}")
        if name.parts[0] not in (MANIFEST, DUMP, MEDIA):
            raise BackupError(f"备份文件中有未知条目：{member.name}")
        members.append(member)
    return members


def backup_restore(*, archive: Path) -> BackupResult:
    """Replace the database's contents and the media folder with the archive's."""
    db = _database()
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    with tempfile.TemporaryDirectory() as work:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(work, members=_safe_members(tar))
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"备份文件无法读取（{exc.__class__.__name__}）：{archive.name}") from None
        manifest_path, dump = Path(work) / MANIFEST, Path(work) / DUMP
        if not manifest_path.is_file() or not dump.is_file():
            raise BackupError("备份文件不完整：缺少 manifest.json 或 database.dump。")
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        connection.close()  # pg_restore drops and recreates every table: let go of ours
        args, env = _pg_env(db)
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges",
             "--single-transaction", *args, str(dump)],
            env,
            "恢复数据库",
        )  # fmt: skip
        # What the shared cache kept (the dashboards' figures and drawn pages) described the data just
        # replaced: forget it (only this cache's keys; Celery's queues stay).
        cache.clear()
        media_root = Path(settings.MEDIA_ROOT)
        restored_media = Path(work) / MEDIA
        bucket = _bucket()
        if bucket is not None:
            media_files = _restore_bucket(bucket, restored_media)
        else:
            if media_root.exists():
                shutil.rmtree(media_root)
            if restored_media.exists():
                shutil.copytree(restored_media, media_root)
            else:
                media_root.mkdir(parents=True, exist_ok=True)
            media_files = sum(1 for p in media_root.rglob("*") if p.is_file())
    tables = table_row_counts()
    differ = {t: (n, tables.get(t)) for t, n in manifest["tables"].items() if tables.get(t) != n}
    if differ:
        raise BackupError(f"恢复后行数与备份不符：{differ}")
    return BackupResult(archive=archive, tables=tables, media_files=media_files)
