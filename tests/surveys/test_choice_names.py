"""The surveys' choice classes have names of their own: a survey response's channel is not a
dossier's submission channel (both apps had a ``Channel``), so an import of the wrong one cannot
slip through review."""

import inspect

from django.apps import apps
from django.db import models

from cchc.surveys import models as survey_models


def choice_classes(module) -> dict[str, type]:
    return {
        name: obj
        for name, obj in vars(module).items()
        if inspect.isclass(obj) and issubclass(obj, models.Choices) and obj.__module__ == module.__name__
    }


def test_no_survey_choice_class_shares_its_name_with_another_apps():
    ours = choice_classes(survey_models)
    assert "ResponseChannel" in ours
    for config in apps.get_app_configs():
        if config.label == "surveys" or config.models_module is None:
            continue
        shared = set(ours) & set(choice_classes(config.models_module))
        assert not shared, f"{config.label}.models also defines {sorted(shared)}"


def test_the_response_channels():
    assert survey_models.ResponseChannel.values == ["web", "kiosk", "paper", "invitation"]
    assert survey_models.Response._meta.get_field("channel").choices == survey_models.ResponseChannel.choices
