"""`python -m core …`: the command-line face of the core (see core/cli/main.py)."""

from core.cli.main import main

raise SystemExit(main())
