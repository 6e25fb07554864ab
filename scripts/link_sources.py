"""Puts the project's source roots (pyproject's [tool.union-match] source-roots) on the virtual
environment's path with a .pth file, so `python -m registry` works from anywhere."""

import site
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    roots = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["union-match"][
        "source-roots"
    ]
    target = Path(site.getsitepackages()[0]) / "union_match_sources.pth"
    target.write_text("".join(f"{(ROOT / root).resolve()}\n" for root in roots))
    print(f"source roots linked in {target}", file=sys.stderr)


if __name__ == "__main__":
    main()
