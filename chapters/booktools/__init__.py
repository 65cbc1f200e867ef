"""Shared helpers for the book's notebooks: fonts, test functions, trajectories,
plots and widgets. Notebooks import from here; nothing is copied between them.

The notebooks run with ``chapters/`` as their working directory, so
``import booktools`` works there without installation.
"""
