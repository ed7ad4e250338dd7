"""Custom Rasa input channels (REST, socket.io widget, Chatwoot).

Importing this package (Rasa does, for credentials.yml) also applies the
Python 3.11 fix for Sanic 21.12's websockets, see `sanic_py311`.
"""
from . import sanic_py311

sanic_py311.apply()
