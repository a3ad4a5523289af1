"""get_FOO_display through core.labels.ChoiceLabels: the same answers as Django's, one dict per field."""

from django.utils import translation

from households import choices
from households.models import Household


def test_labels_follow_the_active_language_and_unknown_codes_show_as_they_are():
    household = Household(status=choices.Status.POOR, attribute="no-such-code")
    with translation.override("zh-hans"):
        assert household.get_status_display() == "未脱贫"
    with translation.override("en"):
        assert household.get_status_display() == "Poor"  # the dict kept holds lazy labels, not Chinese text
    with translation.override("zh-hans"):
        assert household.get_status_display() == "未脱贫"
    assert household.get_attribute_display() == "no-such-code"
    assert "_choice_labels" in Household._meta.get_field("status").__dict__  # one dict, kept on the field
