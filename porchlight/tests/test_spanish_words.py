"""One English word, two meanings: Django merges every catalog and the project's own wins, so a
word whose Spanish depends on the page asks for it in a context. Without one, the project's
"Para" (a message's recipient), "Cambiar" (the language button), "Concluida" (a cleared call) and
"Inicio" (a start page) showed on pages that meant something else."""

from django.utils import translation
from django.utils.translation import gettext, pgettext

from porchlight.community.forms import PlaceForm


def test_each_meaning_has_its_own_spanish() -> None:
    with translation.override("es"):
        assert pgettext("recipient", "To") == "Para"
        assert gettext("To") == "Hasta"  # the end of a date range, on every filter
        assert pgettext("consent", "Change") == "Cambio"
        assert pgettext("case", "Cleared") == "Resueltos"
        assert pgettext("retention", "Cleared") == "Datos borrados"
        assert pgettext("place", "Home") == "Casa"


def test_a_new_place_is_called_casa_in_spanish() -> None:
    with translation.override("es"):
        assert str(PlaceForm.base_fields["name"].initial) == "Casa"
