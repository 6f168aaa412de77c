"""Failures people running an analysis should see, worded for them rather than for developers."""


class AnalysisError(Exception):
    """An expected, user-visible failure: the message is plain English and safe to show as is."""


class NotEnoughText(AnalysisError):
    """Too little substantive text to say anything useful (say, fewer than five real answers)."""


class EmbeddingsUnavailable(AnalysisError):
    """The sentence-embedding method cannot run here: the extra or the model is missing."""
