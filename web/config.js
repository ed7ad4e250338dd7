// Where the Rasa server's socket.io channel listens (scripts/serve_web.py may
// serve a different value through /config.js).
window.TROUBLESHOOTER_SOCKET_URL = window.TROUBLESHOOTER_SOCKET_URL || "http://127.0.0.1:5005";
