# -*- coding: utf-8 -*-
# Copyright (c) glpiops.glpi contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""RSQL as GLPI 11's High-Level API reads it (``src/Glpi/Api/HL/RSQL/Lexer.php``, ``Parser.php``), for the stand-in.

``;`` AND, ``,`` OR, parentheses group; a comparison is ``property`` ``operator`` ``value``, the operator ``==``,
``!=`` or ``=word=``; a value is bare (up to ``;``, ``,`` or ``)``), or in double or single quotes (no escape inside),
or a parenthesised list for ``=in=``/``=out=``.  ``*`` is the wildcard of ``=like=`` (case-sensitive) and ``=ilike=``;
``==`` compares as MySQL's default collation does (case-insensitively).  A boolean property reads ``true``/``false``.
An unknown property or operator fails the whole query (``RSQLError``, GLPI's 400), as GLPI 11's Search does.
"""

from __future__ import annotations

import re


class RSQLError(Exception):
    """GLPI's RSQLException: ``invalid`` maps a property to what is wrong with it."""

    def __init__(self, message, invalid=None):
        super().__init__(message)
        self.invalid = invalid or {}


_COMPARISON = re.compile(r"([a-zA-Z0-9_.]+)(==|!=|=[a-z]*=)")


def tokenize(query):
    """``[("(",), (")",), (";",), (",",), ("cmp", property, operator, value)]``."""
    tokens, pos = [], 0
    while pos < len(query):
        char = query[pos]
        if char in "();,":
            tokens.append((char,))
            pos += 1
            continue
        match = _COMPARISON.match(query, pos)
        if not match:
            raise RSQLError("Invalid RSQL query")
        prop, operator = match.group(1), match.group(2)
        pos = match.end()
        if pos < len(query) and query[pos] in "\"'(":
            closing = ")" if query[pos] == "(" else query[pos]
            end = query.find(closing, pos + 1)
            if end < 0:
                raise RSQLError("RSQL query has one or more unclosed groups" if closing == ")" else "Invalid RSQL query")
            value, pos = query[pos:end + 1], end + 1
        else:
            end = pos
            while end < len(query) and query[end] not in ";,)":
                end += 1
            value, pos = query[pos:end], end
        tokens.append(("cmp", prop, operator, value))
    if sum(1 for token in tokens if token == ("(",)) != sum(1 for token in tokens if token == (")",)):
        raise RSQLError("RSQL query has one or more unclosed groups")
    return tokens


def _unquote(value):
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _like(pattern, text, insensitive):
    regex = "^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$"
    return re.match(regex, text, re.IGNORECASE | re.DOTALL if insensitive else re.DOTALL) is not None


def _compare(operator, actual, value):
    if operator in ("=isnull=", "=notnull="):
        return (actual is None) == (operator == "=isnull=")
    if operator in ("=in=", "=out="):
        items = [_unquote(item.strip()) for item in value[1:-1].split(",")]
        found = actual is not None and any(str(actual).lower() == item.lower() for item in items)
        return found if operator == "=in=" else not found
    if actual is None:
        return operator == "!="
    text = str(actual)
    if operator == "==":
        return text.lower() == value.lower()
    if operator == "!=":
        return text.lower() != value.lower()
    if operator in ("=like=", "=ilike="):
        return _like(value, text, operator == "=ilike=")
    if operator in ("=notlike=", "=notilike="):
        return not _like(value, text, operator == "=notilike=")
    numeric = isinstance(actual, (int, float)) and not isinstance(actual, bool)
    left, right = (float(actual), float(value)) if numeric else (text, value)
    return {"=lt=": left < right, "=le=": left <= right, "=gt=": left > right, "=ge=": left >= right}[operator]


OPERATORS = ("==", "!=", "=in=", "=out=", "=lt=", "=le=", "=gt=", "=ge=", "=like=", "=ilike=", "=isnull=", "=notnull=",
             "=notlike=", "=notilike=")


def compile_filter(query, properties):
    """A predicate ``record_values -> bool`` of ``query``; ``properties`` maps each known property to its type."""
    tokens = tokenize(query)
    invalid = {}
    for token in tokens:
        if token[0] == "cmp":
            if token[1] not in properties:
                invalid[token[1]] = "Unknown property"
            elif token[2] not in OPERATORS:
                invalid[token[1]] = "Unknown operator"
    if invalid:
        raise RSQLError("RSQL query has invalid filters", invalid)

    def evaluate(values):
        stack = [[None, None]]  # per group: [result, pending link]
        for token in tokens:
            if token == ("(",):
                stack.append([None, None])
                continue
            if token in ((";",), (",",)):
                if stack[-1][1] != "OR":
                    stack[-1][1] = "OR" if token == (",",) else "AND"
                continue
            if token == (")",):
                result = stack.pop()[0]
            else:
                _kind, prop, operator, value = token
                value = _unquote(value)
                if properties[prop] == "boolean" and operator in ("==", "!="):
                    value = "1" if value.lower() in ("1", "true", "on", "yes") else "0"
                    actual = values.get(prop)
                    actual = None if actual is None else ("1" if actual else "0")
                else:
                    actual = values.get(prop)
                result = _compare(operator, actual, value)
            group = stack[-1]
            if group[0] is None:
                group[0] = result
            elif group[1] == "OR":
                group[0] = group[0] or result
            else:
                group[0] = group[0] and result
            group[1] = None
        return True if stack[0][0] is None else stack[0][0]

    return evaluate
