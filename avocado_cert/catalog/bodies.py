"""Request bodies bounded before they are read: an announced length over the limit is refused at
once; a streamed (chunked) body is read through a counter that refuses it the moment it passes the
limit, so no body larger than the limit is ever held, whoever sends it."""

from werkzeug.exceptions import RequestEntityTooLarge

CHUNK = 1 << 16


class TooLargeBody(RequestEntityTooLarge):
    def __init__(self, limit):
        super().__init__(f"the request body is over the limit of {limit} bytes here")


class BoundedInput:
    """A WSGI input stream that raises TooLargeBody once more than limit bytes came through it."""

    def __init__(self, stream, limit):
        self._stream = stream
        self.limit = limit
        self.seen = 0

    def _count(self, data):
        self.seen += len(data)
        if self.seen > self.limit:
            raise TooLargeBody(self.limit)
        return data

    def read(self, size=-1):
        if size is None or size < 0:  # read everything, but never more than the limit plus a chunk
            parts = []
            while True:
                part = self._count(self._stream.read(CHUNK))
                if not part:
                    return b"".join(parts)
                parts.append(part)
        return self._count(self._stream.read(size))

    def readline(self, size=-1):
        return self._count(self._stream.readline(CHUNK if size is None or size < 0 else min(size, CHUNK)))

    def __iter__(self):
        return iter(lambda: self.readline(), b"")  # pylint: disable=unnecessary-lambda


def bound(request, limit):
    """Bound this request's body to limit bytes: the TooLargeBody (HTTP 413) to answer now when its
    announced length is over it, else None (a streamed body is then refused while it is read)."""
    length = request.content_length
    if length is not None:
        request.max_content_length = limit
        return TooLargeBody(limit) if length > limit else None
    # No length: a chunked body the server terminates. Werkzeug would cut it silently at its
    # maximum, so the counter refuses it first (werkzeug's cut, one byte later, never comes).
    request.max_content_length = limit + 1
    request.environ["wsgi.input"] = BoundedInput(request.environ["wsgi.input"], limit)
    return None
