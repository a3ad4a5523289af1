"""Backup and restore round trip on the demo county: every table's rows and contents, and the media files,
come back exactly as they were after the database and the media folder are wiped."""

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import backup_create, backup_restore, table_row_counts

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump / pg_restore need PostgreSQL"),
]


def _checksums() -> dict[str, tuple[int, str]]:
    """Per table: row count and an md5 of all its rows, in a stable order."""
    result = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT COUNT(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t::text), '')) FROM {quoted} t"
            )
            result[table] = cursor.fetchone()
    return result


def _media(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in root.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    root = Path(settings.MEDIA_ROOT)
    (root / "revisits" / "2016").mkdir(parents=True)
    (root / "revisits" / "2016" / "photo.jpg").write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 10)
    (root / "imports").mkdir()
    (root / "imports" / "花名册.xlsx").write_bytes(b"PK\x03\x04 roster")
    return root


def test_backup_wipe_restore_gives_back_every_row_and_file(tmp_path, media):
    call_command("load_demo", stdout=io.StringIO())
    before, files_before = _checksums(), _media(media)
    assert before["households_household"][0] > 5000 and len(files_before) == 2

    result = backup_create(directory=tmp_path / "backups")
    assert result.archive.name.startswith("poverty_tracker-") and result.archive.name.endswith(".tar.gz")

    with connection.cursor() as cursor:  # wipe: every table emptied, the media folder gone
        tables = ", ".join(connection.ops.quote_name(t) for t in connection.introspection.table_names(cursor))
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    for path in sorted(media.rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    assert sum(table_row_counts().values()) == 0
    cache.set("kept-while-the-data-was-gone", "（清空后记下的数）")  # e.g. a dashboard's figures

    backup_restore(archive=result.archive)
    assert _checksums() == before
    assert cache.get("kept-while-the-data-was-gone") is None
    assert _media(media) == files_before


def test_restore_refuses_an_archive_with_a_path_outside_its_folders(tmp_path, media):
    evil = tmp_path / "evil.tar.gz"
    payload = tmp_path / "x.txt"
    payload.write_text("owned")
    with tarfile.open(evil, "w:gz") as tar:
        tar.add(payload, arcname="../../etc/x.txt")
    with pytest.raises(CommandError, match="不安全"):
        call_command("restore", str(evil), "--yes", stdout=io.StringIO())
    assert not (tmp_path.parent.parent / "etc" / "x.txt").exists()


def test_restore_without_yes_and_no_terminal_changes_nothing(tmp_path):
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "none.tar.gz"), interactive=False, stdout=io.StringIO())


def test_restore_of_a_missing_or_broken_archive_says_so(tmp_path):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "none.tar.gz"), "--yes", stdout=io.StringIO())
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"not a tar at all")
    with pytest.raises(CommandError, match="无法读取"):
        call_command("restore", str(broken), "--yes", stdout=io.StringIO())
