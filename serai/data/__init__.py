"""Embedded datasets and their validation against published figures."""
