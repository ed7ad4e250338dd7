"""Sanic 21.12.2 passes bare coroutines to asyncio.wait(), which Python 3.11
rejects: websocket connections then close after the first packet. Give its
websocket module an asyncio whose wait() wraps them in tasks first."""

from __future__ import annotations

import asyncio
import types


class _Asyncio311(types.ModuleType):
    def __getattr__(self, name):
        return getattr(asyncio, name)

    @staticmethod
    async def wait(fs, *args, **kwargs):
        return await asyncio.wait([asyncio.ensure_future(f) for f in fs], *args, **kwargs)


def apply() -> None:
    from sanic.server.websockets import impl

    if not isinstance(impl.asyncio, _Asyncio311):
        impl.asyncio = _Asyncio311("asyncio")
