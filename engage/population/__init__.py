"""The partnership's population figures, against which consultations and the panel are read."""
