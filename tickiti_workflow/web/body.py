"""Request bodies: reading the JSON object, loading it with a schema, and the strict
marshmallow fields every body schema is built from."""

from __future__ import annotations

import base64
import binascii
import json
import re
import unicodedata
from typing import Any

from flask import request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..config import MAX_BODY_BYTES
from ..errors import MAX_FIELD_ERRORS, ApiError

MAX_DB_INT = 2**63 - 1
# No body has an object with more keys than this (the largest schema has a dozen fields).
MAX_OBJECT_KEYS = 100


class InvalidJson(ApiError):
    status, code = 400, "invalid_json"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"
    message = "Send the body as 'Content-Type: application/json'."


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len(pairs) > MAX_OBJECT_KEYS:
        raise InvalidJson(f"A JSON object has more than {MAX_OBJECT_KEYS} keys.")
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dupes = sorted({k for k, _ in pairs if k in seen or seen.add(k)})
        raise InvalidJson("The JSON object repeats a key.", {"duplicate_keys": dupes})
    return obj


def _no_constants(name: str) -> Any:
    raise InvalidJson(f"{name} is not a JSON number.")


_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _has_lone_surrogate(value: Any) -> bool:
    """Whether a string anywhere in the parsed JSON (a key included) holds a lone surrogate."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")


class PayloadTooLarge(ApiError):
    status, code = 413, "payload_too_large"
    message = "The request body is larger than 1 MiB."


def _read_body() -> bytes:
    """The whole body, or 413: a chunked body is refused whole, never cut at the limit."""
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    # Without Content-Length the stream stops quietly at the limit: look one byte past it.
    at_limit = request.content_length is None and len(raw) >= MAX_BODY_BYTES
    if at_limit and request.environ["wsgi.input"].read(1):
        raise PayloadTooLarge()
    return raw


def read_json_object(empty_ok: bool) -> dict[str, Any]:
    """The request body as a JSON object; for a read endpoint an empty body counts as ``{}``."""
    raw = _read_body()
    if not raw.strip():
        if empty_ok:
            return {}
        raise InvalidJson("The body must be a JSON object; this endpoint needs one.")
    mimetype = request.mimetype or ""
    if mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType()
    try:
        text = raw.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constants)
        # A \uD800-style escape without its pair decodes to a lone surrogate, which is no
        # character: refuse it here, in keys and values alike, before anything echoes it.
        if _SURROGATE_ESCAPE.search(raw) and _has_lone_surrogate(value):
            raise InvalidJson("The JSON contains a lone surrogate escape (invalid Unicode).")
    except UnicodeDecodeError:
        raise InvalidJson("The body is not valid UTF-8.") from None
    except RecursionError:
        raise InvalidJson("The JSON is nested too deeply.") from None
    except json.JSONDecodeError as exc:
        raise InvalidJson(f"The body is not valid JSON: {exc.msg} at position {exc.pos}.") from None
    except ValueError:  # an integer literal of thousands of digits
        raise InvalidJson("The JSON contains a number too large to read.") from None
    if not isinstance(value, dict):
        raise InvalidJson("The body must be a JSON object.")
    return value


def load(schema: Schema, empty_ok: bool) -> dict[str, Any]:
    """Read the body and validate it with ``schema``: 400, 413, 415 or 422 if it fails.

    ``empty_ok``: a list (read) endpoint accepts an empty body as ``{}``; a write needs its
    object."""
    data = read_json_object(empty_ok)
    # A schema without fields loads {} to {}: skip marshmallow on the list hot path.
    return {} if not data and not schema.load_fields else schema.load(data)


class StrictSchema(Schema):
    """Unknown fields are an error, never silently dropped."""

    class Meta:
        unknown = RAISE


# Text that a person typed: no control characters (newline and tab allowed in long text).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_EXCEPT_WHITESPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


_JSON_CONTROL = r"\u0000-\u001f\u007f-\u009f"
# What str.strip() removes (str.isspace), spelled out: ECMA-262's \s differs (U+FEFF).
JSON_SPACE = (
    r"\t\n\u000b\u000c\r\u001c-\u001f \u0085\u00a0\u1680\u2000-\u200a"
    r"\u2028\u2029\u202f\u205f\u3000"
)
_JSON_MULTILINE_CONTROL = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"


def _reject_surrogates_and_controls(value: str, pattern: re.Pattern) -> None:
    if pattern.search(value) or any(unicodedata.category(c) == "Cs" for c in value):
        raise ValidationError("Must not contain control characters.")


# Characters that draw nothing (or draw like something else) have no place in a name or label:
# format characters (zero-width, bidi controls, soft hyphen, ...), private-use characters, line
# and paragraph separators, and the blank fillers that are letters to Unicode.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Co", "Zl", "Zp"})
_INVISIBLE_LETTERS = "\u115f\u1160\u2800\u3164\uffa0"


def _invisible_ranges() -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    # Planes 2-13 hold ideographs and unassigned code points only.
    for cp in (*range(0x20000), *range(0xE0000, 0x110000)):
        if unicodedata.category(chr(cp)) in _INVISIBLE_CATEGORIES or chr(cp) in _INVISIBLE_LETTERS:
            if ranges and ranges[-1][1] == cp - 1:
                ranges[-1] = (ranges[-1][0], cp)
            else:
                ranges.append((cp, cp))
    return ranges


def _escape(cp: int) -> str:
    # Astral characters literally: JSON Schema (ECMA-262) regexes have no \\U escape.
    return f"\\u{cp:04x}" if cp <= 0xFFFF else chr(cp)


def _class(ranges: list[tuple[int, int]]) -> str:
    return "".join(_escape(a) if a == b else f"{_escape(a)}-{_escape(b)}" for a, b in ranges)


_INVISIBLE_CLASS = _class(_invisible_ranges())
_INVISIBLE = re.compile(f"[{_INVISIBLE_CLASS}]")
# The published patterns name the invisible characters of the Basic Multilingual Plane only:
# tools that read a pattern without ECMA-262's "u" flag see an astral character as two
# surrogates, and a range of them as a range out of order. The service refuses all of them.
_INVISIBLE_BMP_CLASS = _class([r for r in _invisible_ranges() if r[1] <= 0xFFFF])
# Spaces of every width read as one plain space.
_SPACES = re.compile("[^\\S\\n\\r\\t\\x0b\\x0c\\x1c-\\x1f\\x85]")


class Text(fields.String):
    """A trimmed, NFC-normalised string without control characters, ``max_length`` characters
    at most. A single-line text (a name or label) refuses invisible characters too, and any
    kind of space in it is a plain space."""

    def __init__(self, *, min_length: int = 0, max_length: int, multiline: bool = False, **kw):
        self.multiline = multiline
        # The same rule for the OpenAPI document, so generated clients and fuzzers know it.
        refused = _JSON_MULTILINE_CONTROL if multiline else _JSON_CONTROL + _INVISIBLE_BMP_CLASS
        allowed = f"[^{refused}]"
        pattern = f"^{allowed}*$"
        if min_length:
            pattern = f"^{allowed}*[^{JSON_SPACE}{refused}]{allowed}*$"
        kw.setdefault("metadata", {}).setdefault("pattern", pattern)
        extra = kw.pop("validate", None) or []
        extra = list(extra) if isinstance(extra, list | tuple) else [extra]
        super().__init__(validate=[validate.Length(min=min_length, max=max_length), *extra], **kw)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        pattern = _CONTROL_EXCEPT_WHITESPACE if self.multiline else _CONTROL
        _reject_surrogates_and_controls(text, pattern)
        text = unicodedata.normalize("NFC", text)
        if not self.multiline:
            if found := _INVISIBLE.search(text):
                raise ValidationError(
                    "Must not contain invisible or format characters "
                    f"(found U+{ord(found[0]):04X})."
                )
            text = _SPACES.sub(" ", text)
        return text.strip()


def Name(**kw) -> Text:
    """An object's name: trimmed, 1–100 characters."""
    return Text(min_length=1, max_length=100, **kw)


class Description(Text):
    """A description: up to 1000 characters, newlines allowed; ``null`` means empty."""

    def __init__(self, **kw):
        super().__init__(max_length=1000, multiline=True, allow_none=True, **kw)

    def deserialize(self, value, attr=None, data=None, **kwargs) -> str:
        if value is None:
            return ""
        return super().deserialize(value, attr, data, **kwargs)


class BoundedList(fields.List):
    """A JSON array of at most ``max_length`` items, refused on its length before any item is
    looked at, so an over-long list costs nothing."""

    def __init__(self, inner, *, max_length: int, min_length: int | None = None, **kw):
        self.max_length = max_length
        extra = kw.pop("validate", None) or []
        extra = list(extra) if isinstance(extra, list | tuple) else [extra]
        # The Length validator documents minItems/maxItems; the length is checked first below.
        super().__init__(
            inner, validate=[validate.Length(min=min_length, max=max_length), *extra], **kw
        )

    def _deserialize(self, value, attr, data, **kwargs) -> list:
        if not isinstance(value, list):
            raise self.make_error("invalid")
        if len(value) > self.max_length:
            raise ValidationError(f"Longer than maximum length {self.max_length}.")
        result: list = []
        errors: dict[int | str, Any] = {}
        for index, item in enumerate(value):
            try:
                result.append(self.inner.deserialize(item, **kwargs))
            except ValidationError as error:
                errors[index] = error.messages
                if len(errors) == MAX_FIELD_ERRORS:
                    stopped = [f"Stopped after {MAX_FIELD_ERRORS} invalid items."]
                    errors = {"_schema": stopped, **errors}
                    break
        if errors:
            raise ValidationError(errors)
        return result


class Int(fields.Integer):
    """A JSON integer: no floats, no strings, no booleans, within a 64-bit column."""

    default_error_messages = {"invalid": "Must be an integer."}

    def __init__(self, *, minimum: int = 1, maximum: int = MAX_DB_INT, **kw):
        extra = kw.pop("validate", None) or []
        extra = list(extra) if isinstance(extra, list | tuple) else [extra]
        super().__init__(
            strict=True, validate=[validate.Range(min=minimum, max=maximum), *extra], **kw
        )

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def Id(**kw) -> Int:
    """An object id."""
    return Int(**kw)


class Bool(fields.Boolean):
    """Only JSON ``true`` or ``false``."""

    def _deserialize(self, value, attr, data, **kwargs) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Empty(StrictSchema):
    """The body of a list endpoint: ``{}`` (or nothing)."""


class ExpectedVersion(StrictSchema):
    """Mixin for update bodies: optimistic concurrency."""

    expected_version = Int(load_default=None)


def encode_cursor(row_id: int, prefix: str) -> str:
    """The opaque cursor of a newest-first list after the row ``row_id``."""
    return base64.urlsafe_b64encode(f"{prefix}:{row_id}".encode()).decode().rstrip("=")


class Cursor(fields.String):
    """An opaque position in a newest-first list; decodes to the last id seen."""

    default_error_messages = {"invalid": "Not a cursor returned by this endpoint."}

    def __init__(self, *args: Any, prefix: str, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.prefix = prefix

    def _deserialize(self, value, attr, data, **kwargs) -> int:  # type: ignore[override]
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            prefix, _, number = decoded.partition(":")
            if prefix != self.prefix or not (number.isascii() and number.isdigit()):
                raise ValueError
            if not 0 < int(number) <= MAX_DB_INT:
                raise ValueError
            return int(number)
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise self.make_error("invalid") from None
