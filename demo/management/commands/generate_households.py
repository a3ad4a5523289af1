"""manage.py generate_households --count N: synthetic households at province scale, for benchmarks."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from demo.generation import generate_households


class Command(BaseCommand):
    help = "生成合成贫困户（含成员与 2016 年度收入），用于基准测试；PostgreSQL 上为集合式 SQL。"

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True, help="生成户数")
        parser.add_argument(
            "--method",
            choices=["auto", "sql", "bulk"],
            default="auto",
            help="auto：PostgreSQL 用集合式 SQL，其他数据库用 bulk_create",
        )

    def handle(self, *args, count: int, method: str, **options):
        try:
            result = generate_households(count=count, method=method)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"已生成 {result.households:,} 户（{result.first_number}–{result.last_number}）、"
            f"{result.members:,} 名成员，用时 {result.seconds:.2f} 秒，"
            f"每秒 {result.members_per_second:,.0f} 名成员（{result.method}）。"
        )
