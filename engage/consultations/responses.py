"""Responses: paper data entry, CSV and XLSX import with a row report, and exports."""
