"""The demo partnership that ``make run`` shows: content in ``content/``, written by us."""
