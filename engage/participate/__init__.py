"""Residents answering a consultation: no account needed."""
