"""`python -m core …`: the command-line face of the core (see core/cli.py)."""

from core.cli import main

raise SystemExit(main())
