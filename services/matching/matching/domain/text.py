"""Turning listing text into comparable terms for Russian, Belarusian and English.

Belarusian is folded onto Russian spelling first (і->и, ў->у, apostrophes dropped, ё->е), so the
Russian stemmer gives the same stem to many shared roots ("ліфтаў" -> "лифт"). What spelling
cannot bridge ("абсталяванне" / "оборудование" / "equipment") the concept lexicon does.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[a-zа-я0-9]+")
_FOLD = str.maketrans({"ё": "е", "і": "и", "ў": "у", "'": None, "’": None, "ʼ": None, "`": None})
_CYRILLIC = re.compile(r"[а-я]")

STOPWORDS = frozenset(
    """и в во на с со по для из к ко о об от до за под над при без или а но же не ни что как это
    все всех наш наша наши ваш год года лет шт мы нам нас требуется требуются нужно нужны нужен
    нужна ищем ищет закупим купим куплю предлагаем предлагает поставим поставляем производим
    выпускаем осуществляем готовы партия партию поставка поставки поставку объем объема
    у ад да для з на па i и цi ці як што гэта нам патрэбна патрэбны патрэбен шукаем прапануем
    вырабляем пастаўляем пастаўка
    the a an of for to in on at by with and or from we our per year need needs needed looking
    offer offers supply supplies produce produces manufacture sell buy seek seeking""".split()
)


# Belarusian spellings with a regular Russian counterpart: the genitive plural "-аў" is "-ов";
# "ы" after ж, ш, ч is "и"; "-цыя", "-цыі" are "-ция", "-ции" (станцыя, прадукцыя); and an
# adjective's plural "-ыя" is "-ые" (зарадныя, такарныя), which no Russian word ends in.
_BELARUSIAN_SPELLINGS = (
    (re.compile(r"(?<=[а-я])ау\b"), "ов"),
    (re.compile(r"(?<=[жшч])ы"), "и"),
    (re.compile(r"цы(?=[яиюе])"), "ци"),
    (re.compile(r"ыя\b"), "ые"),
)


# Before a consonant "ў" is the Russian "в" (аўтобус, праўда); elsewhere it folds to "у".
_U_BEFORE_CONSONANT = re.compile(r"ў(?=[бвгджзйклмнпрстфхцчшщ])")


def fold(text: str) -> str:
    folded = _U_BEFORE_CONSONANT.sub("в", text.lower()).translate(_FOLD)
    for pattern, replacement in _BELARUSIAN_SPELLINGS:
        folded = pattern.sub(replacement, folded)
    return folded


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if word.isdigit():
        return word
    if _CYRILLIC.search(word):
        return _stemmer("russian").stemWord(word)
    if word.endswith("buses"):  # the stemmer makes "buses" "buse" but "bus" "bus"
        word = word[:-2]
    return _stemmer("english").stemWord(word)


@lru_cache(maxsize=2)
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def words(text: str) -> list[str]:
    """Folded words without stop words; hyphenated compounds split into their parts."""
    return [
        w for w in _WORD.findall(fold(text)) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())
    ]


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]
