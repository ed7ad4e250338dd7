"""Custom Rasa input channels (REST, socket.io widget, Chatwoot).

Importing this package (Rasa does, for credentials.yml) also applies two
fixes to the Rasa server: Sanic 21.12's websockets on Python 3.11
(`sanic_py311`) and the per-action cost of checking action-server responses
(`action_response`).
"""

from . import action_response, sanic_py311

sanic_py311.apply()
action_response.apply()
