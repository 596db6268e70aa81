"""Multibase base58btc ("z...") and the Ed25519 Multikey encodings of the W3C Controlled
Identifiers spec: public keys start with the multicodec 0xed01, private keys with 0x8026."""

_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
ED25519_PUBLIC = b"\xed\x01"
ED25519_PRIVATE = b"\x80\x26"


class MultibaseError(ValueError):
    pass


def b58encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, rest = divmod(number, 58)
        digits.append(_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    number = 0
    for char in text:
        if char not in _INDEX:
            raise MultibaseError(f"{char!r} is not a base58btc character")
        number = number * 58 + _INDEX[char]
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def encode(data: bytes) -> str:
    return "z" + b58encode(data)


def decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise MultibaseError("only base58btc multibase values (starting with 'z') are accepted")
    return b58decode(text[1:])


def encode_key(prefix: bytes, key: bytes) -> str:
    return encode(prefix + key)


def decode_key(prefix: bytes, text: str) -> bytes:
    raw = decode(text)
    if not raw.startswith(prefix) or len(raw) != len(prefix) + 32:
        raise MultibaseError("not an Ed25519 multikey")
    return raw[len(prefix) :]
