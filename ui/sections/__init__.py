"""The larger pages' sections, one module per page: each function reads its widgets, calls one core function, renders."""
