"""The profiling prompt: does a "suspicious" post describe a person by race or ethnicity
alone, with nothing they did?

A local, explainable method (no model, no outside service) built on word lists an agency can
edit (Lexicon rows; the built-in lists below otherwise), in English and Spanish:

  appearance  race and ethnicity words ("black", "hispanic", "moreno", "asiático")
  person      words for people ("guy", "woman", "teens", "hombre", "chicos")
  object      words after which an appearance word is a colour or a kind of thing, not a
              person ("car", "hoodie", "restaurant", "camioneta", "sudadera")
  behaviour   what someone did ("trying car doors", "climbed", "took", "forzando")

A text is prompted when an appearance word refers to a person (a person word within a few
words of it, a determiner before it, or an ethnonym used as a noun: "some hispanics") and the
text names no behaviour. The poster is asked to revise, never blocked: posting as written
sends the post to a moderator first (views/posts.py).

`evaluate()` measures precision and recall on the committed labelled set
(profiling_examples.jsonl, at least 100 examples); the test asserts them and
docs/admins.md reports them.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from porchlight.agencies.models import Agency

GROUPS = ("appearance", "person", "object", "behaviour")
# How far (in words) a person word may be from the appearance word describing it.
WINDOW = 3

DEFAULT_LEXICON: dict[str, str] = {
    "en": """
appearance: black
appearance: white
appearance: hispanic
appearance: hispanics
appearance: latino
appearance: latinos
appearance: latina
appearance: latinas
appearance: latinx
appearance: asian
appearance: asians
appearance: mexican
appearance: mexicans
appearance: african
appearance: african american
appearance: african americans
appearance: blacks
appearance: whites
appearance: arab
appearance: arabs
appearance: middle eastern
appearance: indian
appearance: brown
appearance: chinese
appearance: caucasian
appearance: dark skinned
appearance: dark-skinned
appearance: light skinned
appearance: ethnic
appearance: somali
appearance: gypsy
appearance: gypsies
person: guy
person: guys
person: man
person: men
person: male
person: males
person: woman
person: women
person: female
person: females
person: kid
person: kids
person: teen
person: teens
person: teenager
person: teenagers
person: boy
person: boys
person: girl
person: girls
person: person
person: people
person: dude
person: dudes
person: individual
person: individuals
person: lady
person: youth
person: youths
person: couple
person: subject
person: suspect
person: family
person: gentleman
person: fella
person: group
object: car
object: cars
object: truck
object: van
object: suv
object: sedan
object: pickup
object: vehicle
object: hoodie
object: hood
object: jacket
object: shirt
object: t-shirt
object: hat
object: cap
object: pants
object: shoes
object: backpack
object: bag
object: dog
object: cat
object: lab
object: restaurant
object: market
object: store
object: food
object: bakery
object: church
object: friday
object: lane
object: ln
object: street
object: st
object: ave
object: paint
object: fence
object: smoke
object: bike
object: bicycle
object: scooter
object: mask
object: gloves
object: tape
object: box
object: boxes
object: sign
behaviour: trying
behaviour: tried
behaviour: checking
behaviour: checked
behaviour: looking into
behaviour: looked into
behaviour: peering
behaviour: peeked
behaviour: breaking
behaviour: broke
behaviour: broken into
behaviour: stole
behaviour: stealing
behaviour: took
behaviour: taking
behaviour: grabbed
behaviour: climbing
behaviour: climbed
behaviour: jumped
behaviour: jumping
behaviour: hopped
behaviour: carrying
behaviour: carried
behaviour: prying
behaviour: pried
behaviour: casing
behaviour: followed
behaviour: following
behaviour: knocked
behaviour: knocking
behaviour: ran off
behaviour: smashed
behaviour: kicked
behaviour: opened
behaviour: opening
behaviour: pulling on
behaviour: pulled
behaviour: spray painting
behaviour: spray-painting
behaviour: tagging
behaviour: sprayed
behaviour: entered
behaviour: walked into
behaviour: door handles
behaviour: threatened
behaviour: threatening
behaviour: yelling at
behaviour: filming
behaviour: photographing houses
behaviour: siphoning
behaviour: cut the
behaviour: cutting
behaviour: rummaging
behaviour: went through
behaviour: loaded
behaviour: drove off with
""",
    "es": """
appearance: negro
appearance: negra
appearance: negros
appearance: negras
appearance: moreno
appearance: morena
appearance: morenos
appearance: morenas
appearance: blanco
appearance: blanca
appearance: blancos
appearance: latino
appearance: latina
appearance: latinos
appearance: hispano
appearance: hispana
appearance: hispanos
appearance: asiatico
appearance: asiatica
appearance: asiaticos
appearance: mexicano
appearance: mexicana
appearance: mexicanos
appearance: arabe
appearance: arabes
appearance: chino
appearance: chinos
appearance: afroamericano
appearance: afroamericana
appearance: afroamericanos
appearance: gringo
appearance: gringos
appearance: guero
appearance: gueros
appearance: prieto
appearance: prietos
appearance: gitano
appearance: gitanos
appearance: de color
person: hombre
person: hombres
person: mujer
person: mujeres
person: chico
person: chicos
person: chica
person: chicas
person: tipo
person: tipos
person: persona
person: personas
person: joven
person: jovenes
person: muchacho
person: muchachos
person: muchacha
person: muchachas
person: senor
person: senora
person: sujeto
person: sujetos
person: individuo
person: individuos
person: nino
person: ninos
person: adolescente
person: adolescentes
person: gente
person: pareja
person: familia
person: un
person: una
person: unos
person: unas
person: dos
person: tres
person: unos
object: carro
object: coche
object: auto
object: camioneta
object: troca
object: vehiculo
object: sudadera
object: chaqueta
object: chamarra
object: camisa
object: camiseta
object: gorra
object: pantalon
object: pantalones
object: zapatos
object: mochila
object: bolsa
object: perro
object: perra
object: gato
object: restaurante
object: mercado
object: tienda
object: comida
object: panaderia
object: iglesia
object: calle
object: pintura
object: barda
object: humo
object: bicicleta
object: mascara
object: guantes
object: caja
object: cajas
behaviour: intentando
behaviour: intento
behaviour: intentaba
behaviour: revisando
behaviour: reviso
behaviour: mirando dentro
behaviour: miraba dentro
behaviour: asomandose
behaviour: se asomaba
behaviour: rompio
behaviour: rompiendo
behaviour: robo
behaviour: robando
behaviour: robaron
behaviour: se llevo
behaviour: se llevaron
behaviour: llevandose
behaviour: tomo
behaviour: agarro
behaviour: agarraron
behaviour: trepando
behaviour: trepo
behaviour: salto
behaviour: saltando
behaviour: saltaron
behaviour: cargando
behaviour: forzando
behaviour: forzo
behaviour: siguio
behaviour: siguiendo
behaviour: tocando
behaviour: toco
behaviour: corrio
behaviour: abrio
behaviour: abriendo
behaviour: jalando
behaviour: quebro
behaviour: pateo
behaviour: entro
behaviour: entraron
behaviour: manijas
behaviour: grabando
behaviour: pintando
behaviour: amenazo
behaviour: amenazando
behaviour: gritando
behaviour: esculcando
behaviour: cortando
""",
}

# Spanish and English words that may stand before an appearance word used as a noun
# ("unos morenos", "a black"): there, the appearance word is the person.
_TOKEN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def normalize(text: str) -> list[str]:
    """Lower case, accents off ("asiático" → "asiatico"), words only."""
    folded = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in folded if not unicodedata.combining(c))
    return _TOKEN.findall(plain)


@dataclass
class Lexicons:
    """Each group as a set of phrases, each phrase a tuple of normalized words."""

    groups: dict[str, set[tuple[str, ...]]] = field(
        default_factory=lambda: {group: set() for group in GROUPS}
    )

    def add(self, text: str) -> None:
        for line in text.splitlines():
            group, sep, term = line.partition(":")
            group = group.strip().lower()
            if not sep or group not in GROUPS:
                continue
            words = tuple(normalize(term))
            if words:
                self.groups[group].add(words)


def parse_lexicon(text: str) -> Lexicons:
    lexicons = Lexicons()
    lexicons.add(text)
    return lexicons


def lexicons_for(agency: Agency | None) -> Lexicons:
    """The built-in English and Spanish lists, each replaced by the agency's own if it has
    one. Both languages always apply: neighbours mix them in one post."""
    from porchlight.community.models import Lexicon

    texts = dict(DEFAULT_LEXICON)
    if agency is not None:
        for row in Lexicon.objects.filter(agency=agency):
            texts[row.language] = row.terms
    lexicons = Lexicons()
    for text in texts.values():
        lexicons.add(text)
    return lexicons


@dataclass(frozen=True)
class Finding:
    prompt: bool
    appearance: tuple[str, ...]  # appearance words found describing a person
    behaviour: tuple[str, ...]  # behaviour phrases found


def _spans(words: list[str], phrases: set[tuple[str, ...]]) -> list[tuple[int, int]]:
    spans = []
    longest = max((len(p) for p in phrases), default=0)
    i = 0
    while i < len(words):
        for n in range(min(longest, len(words) - i), 0, -1):
            if tuple(words[i : i + n]) in phrases:
                spans.append((i, i + n))
                i += n - 1
                break
        i += 1
    return spans


def check(text: str, lexicons: Lexicons | None = None) -> Finding:
    lexicons = lexicons or lexicons_for(None)
    words = normalize(text)
    groups = lexicons.groups
    people = {i for start, end in _spans(words, groups["person"]) for i in range(start, end)}
    objects = {start for start, _end in _spans(words, groups["object"])}
    found: list[str] = []
    for start, end in _spans(words, groups["appearance"]):
        # "a black car", "camioneta negra": the word is a colour or a kind of thing.
        if end in objects or (start - 1) in objects:
            continue
        near = range(max(0, start - WINDOW), min(len(words), end + WINDOW))
        plural_noun = words[end - 1].endswith("s") and end not in people
        if any(i in people for i in near if not start <= i < end) or plural_noun:
            found.append(" ".join(words[start:end]))
    behaviour = tuple(" ".join(words[s:e]) for s, e in _spans(words, groups["behaviour"]))
    return Finding(
        prompt=bool(found) and not behaviour, appearance=tuple(found), behaviour=behaviour
    )


EXAMPLES = Path(__file__).with_name("profiling_examples.jsonl")


@dataclass(frozen=True)
class Scores:
    examples: int
    true_positive: int
    false_positive: int
    false_negative: int

    @property
    def precision(self) -> float:
        flagged = self.true_positive + self.false_positive
        return self.true_positive / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positive + self.false_negative
        return self.true_positive / wanted if wanted else 1.0


def labelled_examples(path: Path = EXAMPLES) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def evaluate(
    examples: list[dict[str, object]] | None = None, lexicons: Lexicons | None = None
) -> Scores:
    rows = examples if examples is not None else labelled_examples()
    lexicons = lexicons or lexicons_for(None)
    tp = fp = fn = 0
    for row in rows:
        predicted = check(str(row["text"]), lexicons).prompt
        wanted = bool(row["prompt"])
        tp += predicted and wanted
        fp += predicted and not wanted
        fn += wanted and not predicted
    return Scores(len(rows), tp, fp, fn)
