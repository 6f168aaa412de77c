"""Engage: consultation and community engagement for Community Planning Partnerships."""
