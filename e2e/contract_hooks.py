"""Hooks of the contract run (schemathesis): tus chunks, sent as
`application/offset+octet-stream`, go as the bytes generated, so the upload routes are
fuzzed too."""

import schemathesis
from schemathesis.transport.serialization import serialize_binary


@schemathesis.serializer("application/offset+octet-stream")
def tus_chunk(ctx, value):
    return {"data": serialize_binary(value)}
