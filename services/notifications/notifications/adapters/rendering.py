"""Renders a delivery's email from its Jinja2 template: subject, plain text and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class TemplateRenderer:
    def __init__(self, directory: Path = _TEMPLATES) -> None:
        self._plain = Environment(loader=FileSystemLoader(directory), undefined=StrictUndefined, autoescape=False)
        self._html = Environment(
            loader=FileSystemLoader(directory), undefined=StrictUndefined, autoescape=select_autoescape(default=True)
        )

    def render(self, template: str, language: str, context: dict) -> RenderedEmail:
        name = f"{template}.{language}.j2"
        subject = self._block(self._plain, name, "subject", context).strip()
        text = self._block(self._plain, name, "text", context).strip() + "\n"
        # Blocks of the autoescaping environment are already safe HTML; the layout must not escape them twice.
        body = Markup(self._block(self._html, name, "html", context))
        footer = Markup(self._block(self._html, name, "footer", context))
        html = self._html.get_template("base.html.j2").render(language=language, subject=subject, body=body, footer=footer)
        return RenderedEmail(subject=" ".join(subject.split()), text=text, html=html)

    @staticmethod
    def _block(environment: Environment, name: str, block: str, context: dict) -> str:
        template = environment.get_template(name)
        return "".join(template.blocks[block](template.new_context(context)))
