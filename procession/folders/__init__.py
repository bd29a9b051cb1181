"""Folders for templates and processes, and what is filed in them."""
