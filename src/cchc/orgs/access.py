"""Who may act where: a user's roles, each scoped to a unit (subtree, or the unit alone for a
unit officer). Every view and API call asks these helpers; none decides on its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from cchc.orgs.models import OrgUnit, Role, RoleAssignment

if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin as _AdminBase
else:
    _AdminBase = object

SUBTREE_ROLES = {Role.SECRETARIAT, Role.APPRAISER, Role.LEADER}


@dataclass(frozen=True)
class Scope:
    """The units a user reaches for each role, as unit paths."""

    paths: dict[str, tuple[str, ...]]
    superuser: bool = False

    def has(self, role: str) -> bool:
        return self.superuser or bool(self.paths.get(role))

    def covers(self, role: str, unit: OrgUnit) -> bool:
        if self.superuser:
            return True
        for path in self.paths.get(role, ()):
            if (role in SUBTREE_ROLES and unit.path.startswith(path)) or unit.path == path:
                return True
        return False

    def any_covers(self, unit: OrgUnit) -> bool:
        return self.superuser or any(self.covers(role, unit) for role in self.paths)

    def unit_q(self, role: str | None = None, prefix: str = "") -> Q:
        """A Q object selecting the units (through ``prefix``, e.g. ``"unit__"``) this scope
        covers for ``role`` (any role when None)."""
        if self.superuser:
            return Q()
        q = Q(pk__in=[])
        roles = [role] if role else list(self.paths)
        for r in roles:
            for path in self.paths.get(r, ()):
                if r in SUBTREE_ROLES:
                    q |= Q(**{f"{prefix}path__startswith": path})
                else:
                    q |= Q(**{f"{prefix}path": path})
        return q


def scope_for(user) -> Scope:
    if not user or not user.is_authenticated or not user.is_active:
        return Scope(paths={})
    cached = getattr(user, "_cchc_scope", None)
    if cached is not None:
        return cached
    paths: dict[str, list[str]] = {}
    for role, path in RoleAssignment.objects.filter(user=user).values_list("role", "unit__path"):
        paths.setdefault(role, []).append(path)
    scope = Scope(paths={k: tuple(v) for k, v in paths.items()}, superuser=user.is_superuser)
    user._cchc_scope = scope
    return scope


def units_for(user, role: str | None = None):
    return OrgUnit.objects.filter(scope_for(user).unit_q(role))


def province_wide():
    """The units a province-wide object (the procedure catalogue, a questionnaire, the working-day
    calendar) applies to: every root unit in force today."""
    return OrgUnit.objects.filter(parent__isnull=True).active_on(timezone.localdate())


def may_change_shared(who, applies_to=None) -> bool:
    """May ``who`` (a user or a :class:`Scope`) change an object shared by several units — a
    framework, the procedure catalogue, a questionnaire, the calendar overrides?

    The one rule: a superuser always; otherwise only a secretariat whose scope covers *every* unit
    the object applies to. ``applies_to`` is a queryset or an iterable of units; None (or no unit
    at all, e.g. a framework for a unit type nobody has yet) means province-wide (every root
    unit, see :func:`province_wide`). Having a secretariat role somewhere is not enough."""
    scope = who if isinstance(who, Scope) else scope_for(who)
    if scope.superuser:
        return True
    if not scope.paths.get(Role.SECRETARIAT):
        return False
    if applies_to is None:
        units = province_wide()
    elif isinstance(applies_to, QuerySet):
        units = applies_to
    else:
        units = OrgUnit.objects.filter(pk__in=[u.pk for u in applies_to])
    if not units.exists():
        units = province_wide()
        if not units.exists():
            return False
    return not units.exclude(scope.unit_q(Role.SECRETARIAT)).exists()


class SharedObjectAdmin(_AdminBase):
    """Mix into a ModelAdmin (or inline) of a shared object: anyone with Django's view
    permission still sees it (read-only), but adding, changing and deleting also need
    :func:`may_change_shared` on :meth:`shared_units` (province-wide by default)."""

    def shared_units(self, request, obj=None):
        return None

    def may_change_shared(self, request, obj=None) -> bool:
        return may_change_shared(request.user, self.shared_units(request, obj))

    def has_add_permission(self, request, *args) -> bool:
        obj = args[0] if args else None
        return super().has_add_permission(request, *args) and self.may_change_shared(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self.may_change_shared(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self.may_change_shared(request, obj)
