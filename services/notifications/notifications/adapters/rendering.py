"""Renders a delivery's email from its Jinja2 template: subject, plain text and HTML, with numbers,
word forms, dates and country names in the recipient's language (babel)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_timedelta
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from markupsafe import Markup

from notifications.service_layer.ports import RenderedEmail

_TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


@pass_context
def counted(context, number: float, *forms: str) -> str:
    """`{{ 120|counted("лифт", "лифта", "лифтов") }}` -> «120 лифтов»: forms for one, few and many
    (English needs two), chosen by the language's plural rule."""
    language = context["language"]
    category = Locale.parse(language).plural_form(number)
    index = {"one": 0, "few": 1, "many": 2}.get(category, 1 if len(forms) == 3 else len(forms) - 1)
    return f"{format_decimal(number, locale=language)} {forms[min(index, len(forms) - 1)]}"


@pass_context
def long_date(context, value: str | date) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return format_date(moment, format="long", locale=context["language"])


@pass_context
def duration(context, seconds: float) -> str:
    return format_timedelta(timedelta(seconds=seconds), threshold=1.1, locale=context["language"])


@pass_context
def country(context, code: str) -> str:
    return Locale.parse(context["language"]).territories.get(code, code) if code else ""


@pass_context
def percent(context, share: float) -> str:
    return format_percent(share, locale=context["language"])


class TemplateRenderer:
    def __init__(self, directory: Path = _TEMPLATES) -> None:
        self._plain = self._environment(directory, autoescape=False)
        self._html = self._environment(directory, autoescape=select_autoescape(default=True))

    @staticmethod
    def _environment(directory: Path, *, autoescape) -> Environment:
        environment = Environment(
            loader=FileSystemLoader(directory), undefined=StrictUndefined, autoescape=autoescape
        )
        environment.filters |= {
            "counted": counted,
            "long_date": long_date,
            "duration": duration,
            "country": country,
            "percent": percent,
        }
        return environment

    def render(self, template: str, language: str, context: dict) -> RenderedEmail:
        name = f"{template}.{language}.j2"
        context = {**context, "language": language}
        subject = self._block(self._plain, name, "subject", context).strip()
        text = self._block(self._plain, name, "text", context).strip() + "\n"
        # Blocks of the autoescaping environment are already safe HTML; the layout must not escape
        # them twice.
        body = Markup(self._block(self._html, name, "html", context))
        footer = Markup(self._block(self._html, name, "footer", context))
        html = self._html.get_template("base.html.j2").render(
            language=language, subject=subject, body=body, footer=footer
        )
        return RenderedEmail(
            subject=" ".join(subject.split()),
            text=text,
            html=html,
            list_unsubscribe=context.get("one_click_unsubscribe_url"),
        )

    @staticmethod
    def _block(environment: Environment, name: str, block: str, context: dict) -> str:
        template = environment.get_template(name)
        return "".join(template.blocks[block](template.new_context(context)))
