"""Configuration errors said plainly: the file, the key as the user wrote it, and the
reason, for every mistake pydantic finds."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from pydantic import ValidationError

SOURCE_TYPES = ("folder", "feed", "text", "html")


def shown(value: object) -> str:
    """A value as a message quotes it: booleans, dates and times as TOML writes them."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, date | time):  # datetime is a date
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# A value of the wrong TOML type, said plainly (pydantic's error type -> reason).
_WRONG_TYPE = {
    "bool_type": "must be true or false",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "string_type": "must be a string",
    "path_type": "must be a path given as a string",
    "list_type": "must be an array",
    "dict_type": "must be a table",
    "model_type": "must be a table",
}


def describe(label: str, exc: ValidationError, data: dict[str, Any]) -> str:
    """One line per error: `label: key: reason`."""
    lines = []
    for err in exc.errors():
        key = _key_name(err["loc"], data)
        reason = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        reason = _WRONG_TYPE.get(err["type"], reason.removeprefix("Value error, "))
        if err["type"] == "union_tag_invalid":
            key, reason = f"{key}.type", f"unknown source type {shown(err['input'].get('type'))}"
            reason += f" (use {', '.join(SOURCE_TYPES)})"
        elif err["type"] not in ("extra_forbidden", "missing", "value_error"):
            reason += f" (got {shown(err['input'])})"
        lines.append(f"{label}: {key}: {reason}")
    return "\n".join(lines)


def _key_name(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    """`sources[0].path` becomes `sources[name='seeds'].path` when the source has a name."""
    parts: list[str] = []
    node: Any = data
    for part in loc:
        if isinstance(part, int):
            name = (
                node[part].get("name")
                if isinstance(node, list) and isinstance(node[part], dict)
                else None
            )
            parts[-1] += f"[name={name!r}]" if name else f"[{part}]"
        elif part in SOURCE_TYPES and not (isinstance(node, dict) and part in node):
            continue  # the union member pydantic tried, not a key the user wrote
        else:
            parts.append(str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return ".".join(parts) or "(top level)"
