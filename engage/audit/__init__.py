"""The append-only audit log: who downloaded or exported what, and who approved and published
results. ``record`` is the one way in; the administrators' page ``/audit`` reads it."""
