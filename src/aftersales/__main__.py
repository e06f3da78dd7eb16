"""The `aftersales` console command: Django's management commands plus the product's own."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.config.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:]
    # Product commands are spelt with hyphens (`aftersales demo-data`); Django modules use underscores.
    if args and "-" in args[0] and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    execute_from_command_line([sys.argv[0], *args])


if __name__ == "__main__":
    main()
