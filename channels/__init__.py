"""Custom Rasa input channels (REST, socket.io widget, Chatwoot).

Importing this package (Rasa does, for credentials.yml) also applies
fixes to the Rasa server: Sanic 21.12's websockets on Python 3.11
(`sanic_py311`), the per-action cost of checking action-server responses
(`action_response`) and of encoding the tracker sent to the action server
(`action_request`), a client's message taken once however often it is sent
(`rest`), no stale turn saved over a newer one (`scaleout.fenced_store`), a
turn's graph run without dask's scheduling (`scaleout.inference`), the
learned readers' features without a sparse product (`scaleout.readers`),
and the loaded model out of the garbage collector's way (`scaleout.heap`).
"""

from scaleout import fenced_store, heap, inference, readers

from . import action_request, action_response, rest, sanic_py311

sanic_py311.apply()
action_request.apply()
action_response.apply()
rest.apply()
fenced_store.apply()
inference.apply()
readers.apply()
heap.apply()
