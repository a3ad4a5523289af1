#!/usr/bin/env python
import os
import sys

# Commands that must work without a database.
NO_DATABASE_COMMANDS = {
    "help",
    "version",
    "makemessages",
    "compilemessages",
    "collectstatic",
    "check",
    "test",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poverty_tracker.settings")
    import django
    from django.core.management import execute_from_command_line

    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in NO_DATABASE_COMMANDS and not command.startswith("-"):
        django.setup()
        from poverty_tracker.startup import check_database_or_exit

        check_database_or_exit()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
