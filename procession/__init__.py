"""Procession: a self-hostable workflow server that speaks the Tallyfy REST API."""

__version__ = "0.1.0"
