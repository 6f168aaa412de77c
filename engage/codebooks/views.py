"""Codebook pages."""
