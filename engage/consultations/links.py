"""Channels: tracked links, the embed snippet for partner websites, responses by channel."""
