"""Public short links (/s/<code>): count the visit and send the person to the consultation."""
