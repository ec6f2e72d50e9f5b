#!/usr/bin/env python3
# Copyright (c) 2026 The ovs-vtap authors.
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.
# SPDX-License-Identifier: Apache-2.0
"""ovsdb-delay-relay: a Unix socket relay that delays server-to-client data.

Usage: ovsdb-delay-relay.py LISTEN CONNECT DELAY PIDFILE

Listens on the Unix socket LISTEN and relays each connection to the Unix
socket CONNECT (an ovsdb-server).  What the client sends goes on at once;
what the server sends reaches the client DELAY seconds later, in order.
So a client behind the relay sees the database DELAY seconds late, which
widens the window in which its view is stale while other clients commit.
The relay writes its pid to PIDFILE once it listens, and runs until it is
killed.
"""

import asyncio
import os
import sys


async def pump(reader, writer, delay):
    """Copies 'reader' to 'writer', each chunk 'delay' seconds late."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def release():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()
        writer.close()

    releaser = asyncio.ensure_future(release())
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            queue.put_nowait((loop.time() + delay, data))
    except ConnectionError:
        pass
    queue.put_nowait((loop.time() + delay, None))
    try:
        await releaser
    except ConnectionError:
        pass


async def serve(listen, connect, delay, pidfile):
    async def relay(client_reader, client_writer):
        try:
            server_reader, server_writer = (
                await asyncio.open_unix_connection(connect))
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pump(client_reader, server_writer, 0),
                             pump(server_reader, client_writer, delay))

    if os.path.exists(listen):
        os.unlink(listen)
    server = await asyncio.start_unix_server(relay, path=listen)
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
    async with server:
        await server.serve_forever()


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        sys.exit(1)
    listen, connect, delay, pidfile = sys.argv[1:]
    asyncio.run(serve(listen, connect, float(delay), pidfile))


if __name__ == "__main__":
    main()
