"""`python -m core …` / `bert-explorer …`: one module of sub-commands per view, over the same core functions."""
