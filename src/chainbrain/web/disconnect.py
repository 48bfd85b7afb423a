"""Cancel the database work of a request whose client went away.

A page's analytics run on a connection of the application's pool
(:class:`chainbrain.web.state.WebState`); a visitor who closes the tab or a
proxy that times out used to leave that query running to its end while every
other request queued behind it. :class:`CancelOnDisconnect` (pure ASGI) listens
for ``http.disconnect`` while the response is not yet complete; when it comes,
and the request's own computation holds a connection at that moment, the
statement running on that connection is cancelled (``Store.cancel``). Requests are told apart by
a context variable that the endpoint's worker thread inherits; a request
waiting for the same answer simply computes it again.
"""

from __future__ import annotations

import asyncio
import contextvars

from chainbrain.web.admission import CALLER, caller_of

#: the token of the request whose code runs in this context (None outside requests)
REQUEST: contextvars.ContextVar = contextvars.ContextVar("chainbrain_request", default=None)


class CancelOnDisconnect:
    def __init__(self, app, state_of):
        self.app = app
        self.state_of = state_of              # () → WebState (created after the middleware)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            return await self.app(scope, receive, send)
        token = object()
        REQUEST.set(token)
        st = self.state_of()
        CALLER.set(caller_of(scope, getattr(st, "trusted_networks", ())))   # whose uncached work (admission.py)
        queue: asyncio.Queue = asyncio.Queue()
        finished = asyncio.Event()

        async def pump():
            while True:
                message = await receive()
                await queue.put(message)
                if message["type"] == "http.disconnect":
                    if not finished.is_set():
                        st = self.state_of()
                        if st is not None:
                            st.cancel_request(token)    # its own pool connection only
                    return

        async def app_send(message):
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                finished.set()
            await send(message)

        task = asyncio.create_task(pump())
        try:
            await self.app(scope, queue.get, app_send)
        finally:
            finished.set()
            task.cancel()
