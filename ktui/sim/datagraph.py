"""A simulated world as JSON data: an object-graph encoding whose loading can only build allowlisted types.

Objects are taken apart as ``copy`` and ``pickle`` take them apart (``__reduce_ex__``: a constructor, its
arguments, a state), and written as JSON: plain JSON where the value is plain (strings, numbers, lists, dicts
with string keys), and tagged objects otherwise (``$id``/``$r`` for shared and cyclic values, ``$t`` tuples,
``$d`` dicts with other keys, ``$new`` objects, ``$g`` a class or function named by ``module:qualname``).

Loading differs from unpickling where it matters: a name in the data is resolved only if the caller's
``allowed(module, qualname)`` says so (the simulation's own modules and a few standard types), and the only
callables loading invokes are the allowlisted classes' constructors and ``__setstate__``. Nothing in the data
can name ``os.system`` or any other function to call while loading.
"""

from __future__ import annotations

import base64
import copyreg
import importlib
import math
import sys
import types
from typing import Any, Callable

__all__ = ["encode_graph", "decode_graph", "GraphError", "STDLIB_ALLOWED"]

STDLIB_ALLOWED = frozenset(
    {
        ("copyreg", "__newobj__"),
        ("copyreg", "__newobj_ex__"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
        ("builtins", "object"),
        ("builtins", "list"),
        ("builtins", "dict"),
        ("builtins", "tuple"),
        ("builtins", "int"),
        ("builtins", "str"),
        ("builtins", "float"),
        ("collections", "deque"),
        ("collections", "OrderedDict"),
        ("collections", "defaultdict"),
        ("collections", "Counter"),
        ("functools", "partial"),
        ("random", "Random"),
        ("fractions", "Fraction"),
        ("ipaddress", "IPv4Address"),
        ("ipaddress", "IPv4Network"),
        ("ipaddress", "IPv6Address"),
        ("ipaddress", "IPv6Network"),
        ("ipaddress", "IPv4Interface"),
        ("re", "_compile"),
        ("datetime", "datetime"),
        ("datetime", "timedelta"),
        ("datetime", "timezone"),
        ("decimal", "Decimal"),
    }
)
"""Standard constructors a world may need (each builds a value; none does I/O)."""

_PLAIN = (str, int, bool, type(None))


class GraphError(ValueError):
    """The data does not describe a graph this loader may build."""


def _name_of(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if module is None or qualname is None or "<" in qualname:
        raise TypeError(f"cannot name {obj!r} (a lambda or a closure?)")
    return f"{module}:{qualname}"


class _Encoder:
    def __init__(self) -> None:
        self.ids: dict[int, int] = {}
        self.keep: list[Any] = []  # keeps reduce results alive so ids stay unique

    def enc(self, obj: Any) -> Any:
        if type(obj) in _PLAIN:  # exactly: an IntEnum or a str subclass is an object of its own class
            return obj
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"$f": repr(obj)}
        oid = id(obj)
        if oid in self.ids:
            return {"$r": self.ids[oid]}
        t = type(obj)
        if t is tuple:  # immutable: shared by value, never a cycle through itself alone
            return {"$t": [self.enc(v) for v in obj]}
        if t is bytes:
            return {"$b": base64.b64encode(obj).decode()}
        if t.__name__ == "builtin_function_or_method" and not isinstance(obj.__self__, (type(sys), type(None))):
            return {"$m": [self.enc(obj.__self__), obj.__name__]}
        if isinstance(obj, type) or t.__name__ in ("function", "builtin_function_or_method"):
            return {"$g": _name_of(obj)}
        if t.__name__ == "method":
            return {"$m": [self.enc(obj.__self__), obj.__func__.__name__]}
        n = self.ids[oid] = len(self.ids)
        self.keep.append(obj)
        if t is list:
            return {"$id": n, "$l": [self.enc(v) for v in obj]}
        if t is dict:
            if all(type(k) is str for k in obj):
                return {"$id": n, "$o": {k: self.enc(v) for k, v in obj.items()}}
            return {"$id": n, "$d": [[self.enc(k), self.enc(v)] for k, v in obj.items()]}
        rv = obj.__reduce_ex__(4)
        if isinstance(rv, str):
            return {"$id": n, "$g": f"{obj.__module__}:{rv}"}
        func, args, state, listitems, dictitems = (tuple(rv) + (None, None, None))[:5]
        out: dict[str, Any] = {"$id": n, "$new": [self.enc(func), [self.enc(a) for a in args]]}
        if state is not None:
            out["s"] = self.enc(state)
        if listitems is not None:
            out["li"] = [self.enc(v) for v in listitems]
        if dictitems is not None:
            out["di"] = [[self.enc(k), self.enc(v)] for k, v in dictitems]
        return out


def encode_graph(root: Any) -> Any:
    """``root`` and everything it reaches as JSON-compatible data.

    Raises:
        TypeError: for a value that cannot be named (a lambda, a closure, a generator).
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 50_000))
    try:
        return _Encoder().enc(root)
    finally:
        sys.setrecursionlimit(limit)


class _Decoder:
    def __init__(self, allowed: Callable[[str, str], bool]) -> None:
        self.allowed = allowed
        self.memo: dict[int, Any] = {}

    def resolve(self, name: Any) -> Any:
        if not isinstance(name, str) or name.count(":") != 1:
            raise GraphError(f"not a name: {name!r}")
        module, qualname = name.split(":")
        stdlib = (module, qualname) in STDLIB_ALLOWED
        if not stdlib and not self.allowed(module, qualname):  # checked before anything is imported
            raise GraphError(f"{name} may not be loaded")
        try:
            obj: Any = importlib.import_module(module)
            for part in qualname.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            raise GraphError(f"{name} does not exist") from None
        if not stdlib and not (
            isinstance(obj, (type, types.FunctionType)) and obj.__module__ == module and obj.__qualname__ == qualname
        ):
            raise GraphError(f"{name} is not a class or function defined in {module}")
        return obj

    def dec(self, data: Any) -> Any:
        if type(data) in _PLAIN or type(data) is float:
            return data
        if type(data) is list:  # written only inside tagged forms
            raise GraphError("an untagged list")
        if type(data) is not dict:
            raise GraphError(f"unexpected {type(data).__name__}")
        if "$r" in data:
            try:
                return self.memo[data["$r"]]
            except (KeyError, TypeError):
                raise GraphError(f"a reference to nothing: {data['$r']!r}") from None
        if "$t" in data:
            return tuple([self.dec(v) for v in data["$t"]])
        if "$f" in data:
            if data["$f"] not in ("nan", "inf", "-inf"):
                raise GraphError(f"not a float: {data['$f']!r}")
            return float(data["$f"])
        if "$b" in data:
            return base64.b64decode(data["$b"])
        if "$m" in data:
            target, name = data["$m"]
            if not isinstance(name, str) or name.startswith("__"):
                raise GraphError(f"not a method name: {name!r}")
            method = getattr(self.dec(target), name)
            if not isinstance(method, (types.MethodType, types.BuiltinMethodType)):
                raise GraphError(f"{name} is not a method")
            return method
        if "$id" not in data:
            if "$g" in data:
                return self.resolve(data["$g"])
            raise GraphError(f"an untagged object with keys {sorted(data)[:3]}")
        n = data["$id"]
        if "$l" in data:
            out: Any = []
            self.memo[n] = out
            for v in data["$l"]:
                out.append(self.dec(v))
            return out
        if "$o" in data:
            out = self.memo[n] = {}
            for k, v in data["$o"].items():
                out[k] = self.dec(v)
            return out
        if "$d" in data:
            out = self.memo[n] = {}
            for k, v in data["$d"]:
                out[self.dec(k)] = self.dec(v)
            return out
        if "$g" in data:
            obj = self.memo[n] = self.resolve(data["$g"])
            return obj
        return self._new(n, data)

    def _new(self, n: int, data: dict) -> Any:
        func_data, args_data = data["$new"]
        func = self.dec(func_data)
        args = [self.dec(a) for a in args_data]
        if func is copyreg.__newobj__ or func is copyreg.__newobj_ex__:  # type: ignore[attr-defined]
            cls = args[0]
            if not isinstance(cls, type):
                raise GraphError("__newobj__ of a non-class")
            obj = cls.__new__(cls, *args[1:]) if func is copyreg.__newobj__ else cls.__new__(cls, *args[1], **args[2])  # type: ignore[attr-defined]
        elif isinstance(func, type) or func is _re_compile():
            obj = func(*args)
        else:
            raise GraphError(f"{func!r} is not a constructor")
        self.memo[n] = obj
        if "s" in data:
            state = self.dec(data["s"])
            setstate = getattr(obj, "__setstate__", None)
            if setstate is not None and not _default_setstate(obj):
                setstate(state)
            else:
                slots = None
                if isinstance(state, tuple) and len(state) == 2:
                    state, slots = state
                if state:
                    obj.__dict__.update(state)
                allowed_slots = _slots_of(type(obj))
                for k, v in (slots or {}).items():
                    if k not in allowed_slots:
                        raise GraphError(f"{type(obj).__qualname__} has no slot {k!r}")
                    object.__setattr__(obj, k, v)
        for v in data.get("li", ()):
            obj.append(self.dec(v))
        for k, v in data.get("di", ()):
            obj[self.dec(k)] = self.dec(v)
        return obj


def _slots_of(cls: type) -> set[str]:
    names: set[str] = set()
    for c in cls.__mro__:
        slots = c.__dict__.get("__slots__", ())
        names.update([slots] if isinstance(slots, str) else slots)
    return names


def _re_compile() -> Any:
    import re

    return re._compile  # type: ignore[attr-defined]


def _default_setstate(obj: Any) -> bool:
    return getattr(type(obj), "__setstate__", None) is None


def decode_graph(data: Any, allowed: Callable[[str, str], bool]) -> Any:
    """The object graph :func:`encode_graph` wrote.

    Args:
        allowed: ``allowed(module, qualname)`` for every class or function the data names (besides
            :data:`STDLIB_ALLOWED`).

    Raises:
        GraphError: for data that names something not allowed, or is not such a graph.
    """
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 50_000))
    try:
        return _Decoder(allowed).dec(data)
    except GraphError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, AttributeError) as e:
        raise GraphError(f"malformed graph data ({type(e).__name__}: {e})") from None
    finally:
        sys.setrecursionlimit(limit)
