"""Terraform configurations read with python-hcl2, and the references between their parts.

A `Module` is one directory of .tf files, as Terraform sees it. `references()` lists what its
expressions point at (var.X, local.X, module.X.Y, data.T.N, T.N for aws_*/random_* resources), so a
test can check each one resolves the way `terraform validate` would.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2

META = {"__is_block__", "__comments__", "__inline_comments__"}
MODULE_META = {"source", "version", "providers", "count", "for_each", "depends_on"}
REFERENCE = re.compile(
    r"(?<![\w.])(?:"
    r"(?P<var>var)\.(?P<var_name>\w+)"
    r"|(?P<local>local)\.(?P<local_name>\w+)"
    r"|(?P<module>module)\.(?P<module_name>\w+)(?:\[[^\]]*\])?(?:\.(?P<module_output>\w+))?"
    r"|data\.(?P<data_type>\w+)\.(?P<data_name>\w+)"
    r"|(?P<resource_type>(?:aws|random)_\w+)\.(?P<resource_name>[a-zA-Z_]\w*)"
    r")"
)


def unquote(s: str) -> str:
    return s[1:-1] if len(s) >= 2 and s[0] == s[-1] == '"' else s


def load(path: Path) -> dict[str, Any]:
    with path.open() as f:
        data: dict[str, Any] = hcl2.load(f)
    return data


def strings(value: Any) -> Iterator[str]:
    """Every string inside a parsed value (expressions included), keys of objects too."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if k in META:
                continue
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


def expressions(text: str) -> Iterator[str]:
    """The inside of each ${...} of a parsed string (nested braces and strings respected)."""
    i = 0
    while (start := text.find("${", i)) >= 0:
        depth, j, quote = 0, start + 1, False
        while j < len(text):
            ch = text[j]
            if ch == '"' and text[j - 1] != "\\":
                quote = not quote
            elif not quote and ch == "{":
                depth += 1
            elif not quote and ch == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        yield text[start + 2 : j]
        i = j + 1


@dataclass
class Reference:
    text: str
    kind: str
    name: str
    detail: str = ""


@dataclass
class Module:
    path: Path
    variables: dict[str, bool] = field(default_factory=dict)  # name -> has a default
    locals: set[str] = field(default_factory=set)
    outputs: set[str] = field(default_factory=set)
    resources: set[tuple[str, str]] = field(default_factory=set)
    data: set[tuple[str, str]] = field(default_factory=set)
    modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    configuration_aliases: set[str] = field(default_factory=set)
    blocks: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, path: Path) -> Module:
        m = cls(path)
        for tf in sorted(path.glob("*.tf")):
            doc = load(tf)
            m.blocks.append(doc)
            for block in doc.get("variable", []):
                for name, body in block.items():
                    m.variables[unquote(name)] = "default" in body
            for block in doc.get("locals", []):
                m.locals.update(k for k in block if k not in META)
            for block in doc.get("output", []):
                m.outputs.update(unquote(k) for k in block)
            for kind, into in (("resource", m.resources), ("data", m.data)):
                for block in doc.get(kind, []):
                    for rtype, named in block.items():
                        into.update((unquote(rtype), unquote(n)) for n in named)
            for block in doc.get("module", []):
                for name, body in block.items():
                    m.modules[unquote(name)] = body
            for block in doc.get("terraform", []):
                for providers in block.get("required_providers", []):
                    for spec in providers.values():
                        if isinstance(spec, dict):
                            for alias in spec.get("configuration_aliases", []):
                                m.configuration_aliases.add(alias.strip("${}"))
        return m

    def module_source(self, name: str) -> Path:
        return (self.path / unquote(self.modules[name]["source"])).resolve()

    def references(self) -> Iterator[Reference]:
        for doc in self.blocks:
            for s in strings(doc):
                for expr in expressions(s):
                    for m in REFERENCE.finditer(expr):
                        g = m.groupdict()
                        if g["var"]:
                            yield Reference(m.group(0), "var", g["var_name"])
                        elif g["local"]:
                            yield Reference(m.group(0), "local", g["local_name"])
                        elif g["module"]:
                            yield Reference(m.group(0), "module", g["module_name"], g["module_output"] or "")
                        elif g["data_type"]:
                            yield Reference(m.group(0), "data", g["data_type"], g["data_name"])
                        else:
                            yield Reference(m.group(0), "resource", g["resource_type"], g["resource_name"])


def module_dirs(root: Path) -> list[Path]:
    """Every directory under root holding .tf files."""
    return sorted({p.parent for p in root.rglob("*.tf") if ".terraform" not in p.parts})
