"""A read-only mapping that, unlike :class:`types.MappingProxyType`, can be pickled (so result
objects can be cached, sent to worker processes or stored)."""

from __future__ import annotations

from typing import Any, NoReturn

__all__ = ["FrozenMap"]


class FrozenMap(dict):
    """A ``dict`` whose contents cannot change after construction.

    Examples
    --------
    >>> m = FrozenMap({"k": 3.0})
    >>> m["k"]
    3.0
    >>> m["k"] = 1
    Traceback (most recent call last):
    ...
    TypeError: FrozenMap is read-only
    """

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("FrozenMap is read-only")

    __setitem__ = __delitem__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[type, tuple[dict]]:
        return (FrozenMap, (dict(self),))

    def __hash__(self) -> int:  # frozen dataclasses holding it stay hashable
        return hash(tuple(sorted(self.items(), key=repr)))

    def __repr__(self) -> str:
        return f"FrozenMap({dict.__repr__(self)})"
