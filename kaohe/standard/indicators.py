"""The figures kaohe computes from records (READING.md, "What can be counted"): the keys a standard's rules
may name. The records app computes each of them; a standard naming any other key is refused."""

from django.utils.translation import gettext_lazy as _

INDICATORS = {
    "training_count": _("Thematic trainings held"),
    "leading_group_meetings": _("Leading-group meetings"),
    "office_meetings": _("Creation-office meetings"),
    "lecture_count": _("Lecture-hall activities"),
    "lecture_participation_rate": _("Lecture-hall participation (person-times ÷ members)"),
    "exchange_meetings": _("Experience-exchange meetings"),
    "education_funds": _("Education funds spent"),
    "honours_district": _("District honours"),
    "honours_municipal": _("Municipal honours"),
    "honours_national": _("National honours"),
}

# What a "multiple" or "share" target is taken of, for the unit being assessed.
TARGET_BASES = {
    "grassroots_units": _("grassroots units under the unit"),
    "members": _("members of the unit and the units under it"),
}
