"""The W3C Bitstring Status List: one bit per issued certificate, set when it is revoked.

The bitstring is at least 16 KiB (131,072 entries) so a list does not reveal how many
certificates a school issues; bit 0 is the most significant bit of the first byte. It travels
GZIP-compressed as multibase base64url without padding (a "u" prefix).
"""

import base64
import binascii
import gzip
import zlib

MIN_ENTRIES = 131_072
_MAX_DECODED = 16 * 1024 * 1024


class StatusListError(ValueError):
    pass


class StatusList:
    def __init__(self, bits: bytearray | None = None) -> None:
        self._bits = bits if bits is not None else bytearray(MIN_ENTRIES // 8)
        if len(self._bits) * 8 < MIN_ENTRIES:
            raise StatusListError(f"a status list holds at least {MIN_ENTRIES} entries")

    def __len__(self) -> int:
        return len(self._bits) * 8

    def _locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < len(self):
            raise StatusListError(f"index {index} is outside the list of {len(self)} entries")
        return index // 8, 0x80 >> (index % 8)

    def get(self, index: int) -> bool:
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool = True) -> None:
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def set_indices(self) -> list[int]:
        return [i for i in range(len(self)) if self._bits[i // 8] & (0x80 >> (i % 8))]

    def encode(self) -> str:
        packed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")

    @classmethod
    def decode(cls, encoded: str) -> "StatusList":
        if not encoded.startswith("u") or "=" in encoded:
            raise StatusListError("encodedList is multibase base64url without padding ('u...')")
        body = encoded[1:]
        try:
            packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            inflater = zlib.decompressobj(wbits=31)
            bits = inflater.decompress(packed, _MAX_DECODED)
        except (binascii.Error, zlib.error) as error:
            raise StatusListError(f"encodedList is not a GZIP bitstring: {error}") from error
        if inflater.unconsumed_tail or not inflater.eof:
            raise StatusListError("encodedList is truncated or larger than 16 MiB")
        return cls(bytearray(bits))
