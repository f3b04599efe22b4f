#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the laptop's tool: it runs in debug mode unless DEBUG says otherwise. Production serves through
    # config.wsgi, which assumes nothing, and sets DEBUG=false for its own management commands.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
