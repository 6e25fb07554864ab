"""The matcher's reasons in Belarusian (modern official orthography): one phrase for each kind of
reason, the names of the cities it knows, and a reader that says a stored Russian reason again in
Belarusian (what revision 0006 fills `reasons_be` with for the matches scored before it).

The scorer builds each reason's Belarusian text from the same facts as its Russian and English
ones, through the phrases below; the reader takes those facts back out of the Russian sentence
(the scorer wrote it from a fixed set of shapes) and passes them to the same phrases.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from matching.domain.text import fold

COUNTRIES = {"RU": "Расія", "BY": "Беларусь"}
LANGUAGES = {"ru": "руская", "be": "беларуская", "en": "англійская"}
# A unit as the Russian reasons write it -> as the Belarusian ones do.
UNITS = {"шт.": "шт.", "т": "т", "м²": "м²", "м³": "м³", "км": "км", "кг": "кг", "гол.": "гал."}

# Every city of data/cities.json: its Russian name -> its Belarusian name.
_CITIES_RU_BE = {
    "Смоленск": "Смаленск",
    "Вязьма": "Вязьма",
    "Рославль": "Рослаўль",
    "Ярцево": "Ярцава",
    "Сафоново": "Сафонава",
    "Десногорск": "Дзясногорск",
    "Гагарин": "Гагарын",
    "Дорогобуж": "Дарагабуж",
    "Рудня": "Рудня",
    "Велиж": "Веліж",
    "Демидов": "Дзямідаў",
    "Починок": "Пачынак",
    "Ельня": "Ельня",
    "Духовщина": "Духаўшчына",
    "Кардымово": "Кардымава",
    "Красный": "Красны",
    "Монастырщина": "Манастыршчына",
    "Хиславичи": "Хіславічы",
    "Шумячи": "Шумячы",
    "Ершичи": "Ершычы",
    "Глинка": "Глінка",
    "Угра": "Угра",
    "Тёмкино": "Цёмкіна",
    "Сычёвка": "Сычоўка",
    "Новодугино": "Навадугіна",
    "Холм-Жирковский": "Холм-Жыркоўскі",
    "Москва": "Масква",
    "Зеленоград": "Зеленаград",
    "Подольск": "Падольск",
    "Коломна": "Каломна",
    "Мытищи": "Мытышчы",
    "Можайск": "Мажайск",
    "Санкт-Петербург": "Санкт-Пецярбург",
    "Брянск": "Бранск",
    "Клинцы": "Клінцы",
    "Псков": "Пскоў",
    "Великие Луки": "Вялікія Лукі",
    "Калуга": "Калуга",
    "Обнинск": "Обнінск",
    "Тверь": "Цвер",
    "Ржев": "Ржэў",
    "Нелидово": "Нелідава",
    "Орёл": "Арол",
    "Тула": "Тула",
    "Курск": "Курск",
    "Нижний Новгород": "Ніжні Ноўгарад",
    "Ярославль": "Яраслаўль",
    "Минск": "Мінск",
    "Витебск": "Віцебск",
    "Орша": "Орша",
    "Полоцк": "Полацк",
    "Новополоцк": "Наваполацк",
    "Глубокое": "Глыбокае",
    "Лепель": "Лепель",
    "Поставы": "Паставы",
    "Браслав": "Браслаў",
    "Городок": "Гарадок",
    "Лиозно": "Лёзна",
    "Дубровно": "Дуброўна",
    "Толочин": "Талачын",
    "Могилёв": "Магілёў",
    "Бобруйск": "Бабруйск",
    "Кричев": "Крычаў",
    "Горки": "Горкі",
    "Осиповичи": "Асіповічы",
    "Шклов": "Шклоў",
    "Мстиславль": "Мсціслаў",
    "Климовичи": "Клімавічы",
    "Быхов": "Быхаў",
    "Гомель": "Гомель",
    "Мозырь": "Мазыр",
    "Жлобин": "Жлобін",
    "Речица": "Рэчыца",
    "Светлогорск": "Светлагорск",
    "Калинковичи": "Калінкавічы",
    "Рогачёв": "Рагачоў",
    "Гродно": "Гродна",
    "Лида": "Ліда",
    "Волковыск": "Ваўкавыск",
    "Слоним": "Слонім",
    "Сморгонь": "Смаргонь",
    "Новогрудок": "Навагрудак",
    "Островец": "Астравец",
    "Брест": "Брэст",
    "Барановичи": "Баранавічы",
    "Пинск": "Пінск",
    "Кобрин": "Кобрын",
    "Берёза": "Бяроза",
    "Борисов": "Барысаў",
    "Жодино": "Жодзіна",
    "Молодечно": "Маладзечна",
    "Солигорск": "Салігорск",
    "Слуцк": "Слуцк",
    "Дзержинск": "Дзяржынск",
    "Смолевичи": "Смалявічы",
    "Несвиж": "Нясвіж",
    "Заславль": "Заслаўе",
    "Марьина Горка": "Мар'іна Горка",
}
# Looked up by the folded spelling, so a city typed in Russian or in Belarusian is found either way.
_CITIES = {fold(name): be for ru, be in _CITIES_RU_BE.items() for name in (ru, be)}


def city(name: str) -> str:
    """A city in Belarusian when it is one the platform knows; otherwise as the company wrote it."""
    return _CITIES.get(fold(name.strip()), name)


def amount(number: str, unit_ru: str) -> str:
    return f"{number} {UNITS.get(unit_ru, unit_ru)}".strip()


# --- the phrases -------------------------------------------------------------------------------


def same_sector(sector_name: str) -> str:
    return f"Абодва ў сектары «{sector_name}»"


def codes_agree(shown: str) -> str:
    return f"коды ТН ВЭД супадаюць да {shown}"


def same_product_in_other_languages() -> str:
    return "апісанні называюць адзін тавар на розных мовах"


def shared_words(listed: str) -> str:
    return f"у апісаннях агульныя словы: {listed}"


def distance(offer_city: str, need_city: str, km: float, countries: tuple[str, str] | None) -> str:
    """Supplier's city — buyer's city, the distance, and for a cross-border pair the two countries
    in the same order."""
    text = f"{city(offer_city)} — {city(need_city)} {round(km)} км"
    if countries:
        text += (
            f" ({COUNTRIES.get(countries[0], countries[0])} — "
            f"{COUNTRIES.get(countries[1], countries[1])})"
        )
    return text


def capacity_covers(capacity: str, volume: str) -> str:
    return f"магутнасць {capacity} пакрывае патрэбу {volume}"


def capacity_covers_only(capacity: str, share: int, volume: str) -> str:
    return f"магутнасць {capacity} пакрывае толькі {share}% патрэбы {volume}"


def certificates_held(names: str) -> str:
    return f"у пастаўшчыка ёсць патрэбныя сертыфікаты: {names}"


def certificates_missing(names: str) -> str:
    return f"няма патрэбных сертыфікатаў: {names}"


def shared_language(code: str) -> str:
    return f"агульная мова: {LANGUAGES.get(code, code)}"


def delivers_to_buyer_region(region: str) -> str:
    return f"пастаўшчык дастаўляе ў рэгіён пакупніка: {region}"


def buyer_looks_in_supplier_region(region: str) -> str:
    return f"пакупнік шукае пастаўшчыкоў у рэгіёне пастаўшчыка: {region}"


def compatible_kinds(offered: str, needed: str) -> str:
    return f"сумяшчальныя віды: {offered} — {needed}"


def quantities_incommensurable(capacity_unit: str, need_unit: str) -> str:
    return f"аб'ёмы нельга параўнаць: магутнасць у {capacity_unit}, патрэба ў {need_unit}"


def converted(amount: str) -> str:
    return f"у пераліку {amount}"


def over_a_year(capacity: str, volume: str) -> str:
    return f"за адзін год: {capacity} супраць {volume}"


# --- a stored Russian reason said again in Belarusian ------------------------------------------

_RU_LANGUAGES = {"русский": "ru", "белорусский": "be", "английский": "en"}
_RU_AMOUNT = re.compile(r"^(\S+)\s*(.*)$")


def _amount_of(ru: str) -> str:
    number, unit = _RU_AMOUNT.match(ru).groups()
    return amount(number, unit)


def from_russian(
    reason_ru: str, *, sector_names: Mapping[str, str], offer_country: str, need_country: str
) -> str:
    """The Belarusian of a reason the scorer wrote in Russian (`sector_names`: a sector's Russian
    name -> its Belarusian one). A sentence of no shape the scorer writes is returned as it is."""
    if found := re.fullmatch(r"Оба в секторе «(.*)»", reason_ru):
        return same_sector(sector_names.get(found[1], found[1]))
    if found := re.fullmatch(r"коды ТН ВЭД совпадают до (\S+)", reason_ru):
        return codes_agree(found[1])
    if reason_ru == "описания говорят об одном товаре на разных языках":
        return same_product_in_other_languages()
    if found := re.fullmatch(r"в описаниях общие слова: (.*)", reason_ru):
        return shared_words(found[1])
    if found := re.fullmatch(r"мощность (.+) покрывает лишь (\d+)% потребности (.+)", reason_ru):
        return capacity_covers_only(_amount_of(found[1]), int(found[2]), _amount_of(found[3]))
    if found := re.fullmatch(r"мощность (.+) покрывает потребность (.+)", reason_ru):
        return capacity_covers(_amount_of(found[1]), _amount_of(found[2]))
    if found := re.fullmatch(r"у поставщика есть требуемые сертификаты: (.*)", reason_ru):
        return certificates_held(found[1])
    if found := re.fullmatch(r"нет требуемых сертификатов: (.*)", reason_ru):
        return certificates_missing(found[1])
    if (found := re.fullmatch(r"общий язык: (.*)", reason_ru)) and found[1] in _RU_LANGUAGES:
        return shared_language(_RU_LANGUAGES[found[1]])
    if found := re.fullmatch(
        r"(.+) — (.+) (\d+) км( \((?:Россия — Беларусь|Беларусь — Россия)\))?", reason_ru
    ):
        countries = (offer_country, need_country) if found[4] else None
        return distance(found[1], found[2], int(found[3]), countries)
    return reason_ru
