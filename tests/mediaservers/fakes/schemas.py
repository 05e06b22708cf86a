"""Check fake response bodies against the servers' published models.

Jellyfin: the pydantic models generated from its OpenAPI spec, shipped in
``jellyfin-sdk`` for API 10.10 and 10.11. A body must validate, and every key
it has must be a field of the model (the models silently drop unknown keys,
so we compare key trees). Emby: ``embyclient``'s swagger models, whose
``attribute_map``/``swagger_types`` list each field's JSON name and type.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

JELLYFIN_API_VERSIONS = ("api_10_10", "api_10_11")
_EMBY_PRIMITIVES = {"str": str, "int": int, "bool": bool, "float": (int, float), "datetime": str, "object": object}


class SchemaMismatch(AssertionError):
    pass


def jellyfin_model(version: str, name: str) -> type:
    module = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower().replace("d_t_o", "dto")
    return getattr(importlib.import_module(f"jellyfin.generated.{version}.models.{module}"), name)


def check_jellyfin(body: Any, model_name: str) -> None:
    """``model_name`` may be 'List[UserDto]' for a JSON array."""
    items, name = (body, model_name[5:-1]) if model_name.startswith("List[") else ([body], model_name)
    for version in JELLYFIN_API_VERSIONS:
        model = jellyfin_model(version, name)
        for item in items:
            try:
                parsed = model.from_dict(item)
            except Exception as exc:
                raise SchemaMismatch(f"{name} ({version}) rejects the fake's body: {exc}") from exc
            _same_keys(item, parsed.to_dict(), f"{name} ({version})")


def _same_keys(sent: Any, understood: Any, where: str) -> None:
    if isinstance(sent, dict):
        unknown = set(sent) - set(understood or {})
        if unknown:
            raise SchemaMismatch(f"{where} has no field(s) {sorted(unknown)}")
        for key, value in sent.items():
            _same_keys(value, understood[key], f"{where}.{key}")
    elif isinstance(sent, list):
        for sent_item, understood_item in zip(sent, understood or [], strict=False):
            _same_keys(sent_item, understood_item, f"{where}[]")


def check_emby(body: Any, model_name: str) -> None:
    """Every key must be in the swagger model's attribute_map, with a value of its type."""
    _check_emby_value(body, model_name, model_name)


def _emby_model(name: str) -> type | None:
    module = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    try:
        return getattr(importlib.import_module(f"emby_client.models.{module}"), name)
    except (ImportError, AttributeError):
        return None


def _check_emby_value(value: Any, type_name: str, where: str) -> None:
    if value is None:
        return
    if type_name.startswith("list["):
        if not isinstance(value, list):
            raise SchemaMismatch(f"{where} should be a list")
        for item in value:
            _check_emby_value(item, type_name[5:-1], f"{where}[]")
        return
    if type_name in _EMBY_PRIMITIVES:
        if not isinstance(value, _EMBY_PRIMITIVES[type_name]):
            raise SchemaMismatch(f"{where} should be {type_name}, is {type(value).__name__}")
        return
    model = _emby_model(type_name)
    if model is None:
        raise SchemaMismatch(f"embyclient has no model {type_name} ({where})")
    if not getattr(model, "attribute_map", None):  # an enum: a string value
        if not isinstance(value, str):
            raise SchemaMismatch(f"{where} should be a {type_name} string")
        return
    _check_emby_object(value, model, where)


def _check_emby_object(value: Any, model: type, where: str) -> None:
    if not isinstance(value, dict):
        raise SchemaMismatch(f"{where} should be an object")
    json_to_attribute = {json_name: attribute for attribute, json_name in model.attribute_map.items()}
    for key, item in value.items():
        if key not in json_to_attribute:
            raise SchemaMismatch(f"{model.__name__} has no field {key!r} ({where})")
        _check_emby_value(item, model.swagger_types[json_to_attribute[key]], f"{where}.{key}")
