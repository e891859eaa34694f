"""Request-body parsing and the strict marshmallow fields every schema is built from."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .errors import ApiError

MAX_BODY_BYTES = 1024 * 1024
MAX_DB_INT = 2**63 - 1


class InvalidJson(ApiError):
    status, code = 400, "invalid_json"


class UnsupportedMediaType(ApiError):
    status, code = 415, "unsupported_media_type"
    message = "Send the body as 'Content-Type: application/json'."


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        dupes = sorted({k for k, _ in pairs if k in seen or seen.add(k)})
        raise InvalidJson("The JSON object repeats a key.", {"duplicate_keys": dupes})
    return obj


def _no_constants(name: str) -> Any:
    raise InvalidJson(f"{name} is not a JSON number.")


def read_json_object(empty_ok: bool) -> dict[str, Any]:
    """The request body as a JSON object; for a read endpoint an empty body counts as ``{}``."""
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
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


def body(schema_cls: type[Schema]) -> Callable:
    """Validate the JSON body with ``schema_cls`` and pass the result as the view's argument."""
    schema = schema_cls()

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            # SPEC §1: a list (read) endpoint accepts an empty body; a write needs its object.
            empty_ok = not getattr(g, "write_request", False)
            data = read_json_object(empty_ok)
            # A schema without fields loads {} to {}: skip marshmallow on the list hot path.
            payload = {} if not data and not schema.load_fields else schema.load(data)
            return view(payload, *args, **kwargs)

        wrapper.body_schema = schema_cls
        return wrapper

    return decorator


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


class Text(fields.String):
    """A trimmed string without control characters, ``max_length`` characters at most."""

    def __init__(self, *, min_length: int = 0, max_length: int, multiline: bool = False, **kw):
        self.multiline = multiline
        # The same rule for the OpenAPI document, so generated clients and fuzzers know it.
        allowed = f"[^{_JSON_MULTILINE_CONTROL if multiline else _JSON_CONTROL}]"
        pattern = f"^{allowed}*$"
        if min_length:
            pattern = f"^{allowed}*[^{JSON_SPACE}{_JSON_CONTROL}]{allowed}*$"
        kw.setdefault("metadata", {}).setdefault("pattern", pattern)
        extra = kw.pop("validate", None) or []
        extra = list(extra) if isinstance(extra, list | tuple) else [extra]
        super().__init__(validate=[validate.Length(min=min_length, max=max_length), *extra], **kw)

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        pattern = _CONTROL_EXCEPT_WHITESPACE if self.multiline else _CONTROL
        _reject_surrogates_and_controls(text, pattern)
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
