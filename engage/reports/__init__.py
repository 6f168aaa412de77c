"""Reports built by the worker: a findings report per consultation, and the Board's
priority-setting report, each as an accessible web page, a tagged PDF and data files."""
