"""Cut a received byte stream into whole FIX frames. Pure; no I/O."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from kalshi_fix._wire import _PREFIX, _PREFIX_LEN, SOH

if TYPE_CHECKING:
    from kalshi_fix import _errors as _err
else:
    from kalshi_fix._lazy import errors as _err

__all__ = ["FrameSplitter"]

_MAX_PENDING_ERRORS: Final = 1000


class FrameSplitter:
    """Cut a byte stream into whole frames; handles partial reads, many frames per read, and garbage.

    Frames are located by `8=FIXT.1.1␁9=<len>␁` and cut by BodyLength, then checked to end in `10=nnn␁`.
    Bytes that are not part of a frame are skipped and reported (as `FixGarbageError`, or
    `FixBodyLengthError` when a frame's length does not lead to its CheckSum), after which the splitter
    resynchronises on the next BeginString. Checksums are verified later, by `parse_frame`.

    ```python
    splitter = FrameSplitter()
    frames = splitter.feed(chunk)        # list[bytes]; keep feeding as bytes arrive
    errors = splitter.take_errors()      # what was skipped since the last call
    ```

    Args:
        max_frame_size: frames whose BodyLength promises more bytes than this are rejected as garbage.
    """

    __slots__ = ("_buf", "_errors", "dropped_errors", "max_frame_size")

    def __init__(self, max_frame_size: int = 1 << 20) -> None:
        self._buf = bytearray()
        self._errors: list[_err.FixDecodeError] = []
        self.max_frame_size = max_frame_size
        self.dropped_errors = 0
        """Errors not kept because `take_errors()` was not called for a while (at most 1000 are held)."""

    @property
    def buffered(self) -> int:
        """Bytes held for an incomplete frame."""
        return len(self._buf)

    def take_errors(self) -> list[_err.FixDecodeError]:
        """Return and clear the errors seen since the last call."""
        errors, self._errors = self._errors, []
        return errors

    def feed(self, data: bytes | bytearray | memoryview) -> list[bytes]:
        """Add received bytes; return every frame now complete, in order."""
        buf = self._buf
        buf += data
        frames: list[bytes] = []
        pos = 0
        n = len(buf)
        while pos < n:
            start = buf.find(_PREFIX, pos)
            if start < 0:
                # Keep a tail that could be the beginning of a prefix split across reads.
                keep = n - pos
                for k in range(min(keep, _PREFIX_LEN - 1), 0, -1):
                    if buf.endswith(_PREFIX[:k]):
                        keep = k
                        break
                else:
                    keep = 0
                if n - keep > pos:
                    self._garbage(buf, pos, n - keep)
                pos = n - keep
                break
            if start > pos:
                self._garbage(buf, pos, start)
            soh = buf.find(SOH, start + _PREFIX_LEN, start + _PREFIX_LEN + 11)
            if soh < 0:
                if n - start - _PREFIX_LEN > 10:
                    self._report(_err.FixBodyLengthError("BodyLength (9) is not a number", tag=9))
                    pos = start + 1
                    continue
                pos = start
                break
            digits = bytes(buf[start + _PREFIX_LEN : soh])
            if not digits.isdigit():
                self._report(_err.FixBodyLengthError(f"BodyLength (9) is not a number: {digits!r}", tag=9))
                pos = start + 1
                continue
            length = int(digits)
            body_start = soh + 1
            end = body_start + length + 7
            if end - start > self.max_frame_size:
                self._report(
                    _err.FixBodyLengthError(
                        f"BodyLength (9)={length} exceeds max_frame_size={self.max_frame_size}", tag=9
                    )
                )
                pos = start + 1
                continue
            if end > n:
                pos = start
                break
            if (
                length == 0
                or buf[end - 7 : end - 4] != b"10="
                or buf[end - 1] != 1
                or buf[end - 8] != 1
                or not buf[end - 4 : end - 1].isdigit()
            ):
                self._report(
                    _err.FixBodyLengthError(
                        f"BodyLength (9)={length} does not lead to CheckSum (10); resynchronising", tag=9
                    )
                )
                pos = start + 1
                continue
            frames.append(bytes(buf[start:end]))
            pos = end
        if pos:
            del buf[:pos]
        return frames

    def _report(self, error: _err.FixDecodeError) -> None:
        if len(self._errors) < _MAX_PENDING_ERRORS:
            self._errors.append(error)
        else:
            self.dropped_errors += 1

    def _garbage(self, buf: bytearray, start: int, end: int) -> None:
        self._report(
            _err.FixGarbageError(
                f"skipped {end - start} bytes that are not a FIX frame: {bytes(buf[start : min(end, start + 32)])!r}"
            )
        )

    def eof(self) -> None:
        """Signal the end of the stream.

        Raises:
            FixTruncatedFrameError: a partial frame was left in the buffer (it is discarded).
        """
        if self._buf:
            size = len(self._buf)
            self._buf.clear()
            raise _err.FixTruncatedFrameError(f"stream ended inside a frame ({size} bytes buffered)")
