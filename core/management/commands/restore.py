"""python manage.py restore ARCHIVE [--yes]: replace the database and media files with a backup's."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从备份归档恢复数据库和上传文件（会覆盖现有数据）"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="backup 命令生成的 .tar.gz 文件")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接覆盖现有数据")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="不询问（须同时加 --yes）",
        )

    def handle(self, *args, archive, yes, **options):
        if not yes:
            if not options.get("interactive", True) or not sys.stdin.isatty():
                raise CommandError("恢复会覆盖现有数据：请加 --yes 确认。")
            answer = input("恢复会覆盖当前数据库和上传文件，输入 yes 继续：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何改动。")
        try:
            result = backup_restore(archive=Path(archive))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(result.tables.values())
        self.stdout.write(f"已恢复：{len(result.tables)} 张表，{rows} 行；上传文件 {result.media_files} 个。")
