"""python manage.py backup [--output DIR]: the database and the media files in one dated archive."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（pg_dump）和上传文件到一个带日期的归档文件"

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help="归档文件所在目录（默认 backups/）")

    def handle(self, *args, output, **options):
        try:
            result = backup_create(directory=Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(result.tables.values())
        self.stdout.write(
            f"已备份：{result.archive}（{len(result.tables)} 张表，{rows} 行；上传文件 {result.media_files} 个）"
        )
