"""Privacy: secrets encrypted at rest, retention schedules, and people's data protection rights
(subject access and erasure across everything Engage holds).

Kept free of imports so models can use ``engage.crypto`` without loading the views.
"""
