"""The Residents' Panel: residents who agree to be consulted several times a year."""
