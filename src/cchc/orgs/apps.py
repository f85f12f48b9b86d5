from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

STANDARD_UNIT_TYPES = [
    ("province", "Tỉnh, thành phố", 1),
    ("department", "Sở, ban, ngành", 2),
    ("district", "Huyện, thị xã, thành phố thuộc tỉnh", 2),
    ("commune", "Xã, phường, thị trấn", 3),
]


def ensure_unit_types(using="default", **kwargs) -> None:
    """The standard unit types exist after every migrate (and after a test flush, which
    re-emits post_migrate); admins may add more, and renamed ones are left alone."""
    from cchc.orgs.models import UnitType

    for code, name, level in STANDARD_UNIT_TYPES:
        UnitType.objects.using(using).get_or_create(code=code, defaults={"name": name, "level": level})


class OrgsConfig(AppConfig):
    name = "cchc.orgs"
    label = "orgs"
    verbose_name = _("Đơn vị và người dùng")

    def ready(self) -> None:
        post_migrate.connect(ensure_unit_types, sender=self, dispatch_uid="cchc.orgs.ensure_unit_types")
