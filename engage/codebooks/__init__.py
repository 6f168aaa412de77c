"""Codebooks: themes officers already have (strategic priorities, an earlier consultation's
themes) that an analysis run maps answers onto instead of finding themes freely."""
