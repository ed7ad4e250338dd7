"""Chatwoot agent-bot channel (credentials.yml: channels.chatwoot.ChatwootInput)."""

from .connector import ChatwootInput

__all__ = ["ChatwootInput"]
