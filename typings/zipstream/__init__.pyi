# The parts of zipstream-ng (which ships no type information) that PCS uses.
from collections.abc import Iterable, Iterator

class ZipStream:
    def __init__(self, *, compress_type: int = ..., compress_level: int | None = ..., sized: bool = ...) -> None: ...
    def add(
        self,
        data: bytes | str | Iterable[bytes],
        arcname: str,
        *,
        size: int | None = ...,
        compress_type: int | None = ...,
        compress_level: int | None = ...,
    ) -> None: ...
    def mkdir(self, arcname: str) -> None: ...
    def __iter__(self) -> Iterator[bytes]: ...
    def __len__(self) -> int: ...
