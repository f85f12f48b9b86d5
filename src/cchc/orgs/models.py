"""Org units (đơn vị) as a tree with types and validity dates, and users' roles per unit subtree."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext_lazy as _


class UnitType(models.Model):
    """A kind of unit: province, department (sở, ban, ngành), district, commune (xã, phường, thị trấn) …

    Admins may add more. ``level`` orders types from the top (1 = province).
    """

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    level = models.PositiveSmallIntegerField(_("cấp"), default=1)

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("loại đơn vị")
        verbose_name_plural = _("loại đơn vị")

    def __str__(self) -> str:
        return self.name


class OrgUnitQuerySet(models.QuerySet):
    def subtree_of(self, unit: OrgUnit) -> OrgUnitQuerySet:
        """The unit and all its descendants."""
        return self.filter(path__startswith=unit.path)

    def active_on(self, day) -> OrgUnitQuerySet:
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class OrgUnit(models.Model):
    """An administrative unit. ``path`` is a materialised path of primary keys (``/1/5/23/``)
    so that a subtree is one indexed ``LIKE 'prefix%'`` query."""

    code = models.CharField(_("mã đơn vị"), max_length=40, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    unit_type = models.ForeignKey(
        UnitType, on_delete=models.PROTECT, related_name="units", verbose_name=_("loại")
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("đơn vị cha"),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="predecessors",
        verbose_name=_("đơn vị kế thừa (sáp nhập vào)"),
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    depth = models.PositiveSmallIntegerField(editable=False, default=0)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                name="orgunit_unique_name_per_parent",
                violation_error_message=_("Đơn vị cha đã có một đơn vị cùng tên."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="orgunit_unique_root_name",
                violation_error_message=_("Đã có một đơn vị gốc cùng tên."),
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lt=F("valid_to")),
                name="orgunit_valid_from_before_valid_to",
                violation_error_message=_("Ngày hiệu lực từ phải trước ngày hiệu lực đến."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        old_path = None
        if self.pk:
            old_path = OrgUnit.objects.filter(pk=self.pk).values_list("path", flat=True).first()
        with transaction.atomic():
            if not self.pk:
                super().save(*args, **kwargs)
                kwargs.pop("force_insert", None)
            parent_path = self.parent.path if self.parent_id else "/"
            if self.parent_id and self.parent.path and f"/{self.pk}/" in self.parent.path:
                raise ValueError("An org unit cannot be its own ancestor.")
            self.path = f"{parent_path}{self.pk}/"
            self.depth = self.path.count("/") - 2
            super().save(*args, **{k: v for k, v in kwargs.items() if k != "force_insert"})
            if old_path and old_path != self.path:
                # Re-root the descendants' paths in one UPDATE.
                OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(models.Value(self.path), Substr("path", len(old_path) + 1))
                )

    def is_within(self, ancestor: OrgUnit) -> bool:
        return self.path.startswith(ancestor.path)

    @property
    def path_ids(self) -> list[int]:
        """Ids from the root down to this unit itself (:func:`path_ids` of its path)."""
        return path_ids(self.path)

    def ancestors(self) -> models.QuerySet[OrgUnit]:
        return OrgUnit.objects.filter(pk__in=self.path_ids).order_by("depth")


def path_ids(path: str) -> list[int]:
    """The ids of a materialised path, root first: ``"/1/5/23/"`` → ``[1, 5, 23]`` (the one
    parser of unit paths; ``[]`` for an empty path)."""
    return [int(p) for p in path.strip("/").split("/") if p]


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Thường trực CCHC (Sở/Phòng Nội vụ)")
    APPRAISER = "appraiser", _("Thành viên hội đồng thẩm định")
    UNIT_OFFICER = "unit_officer", _("Cán bộ đơn vị")
    LEADER = "leader", _("Lãnh đạo")


class RoleAssignment(models.Model):
    """A user's role on a unit. Secretariat, appraiser and leader roles cover the unit's whole
    subtree; a unit officer acts for that unit only."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles", verbose_name=_("người dùng")
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("đơn vị")
    )

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="roleassignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.unit}"
