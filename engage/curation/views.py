"""Curation pages."""
