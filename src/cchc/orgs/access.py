"""Who may act where: a user's roles, each scoped to a unit (subtree, or the unit alone for a
unit officer). Every view and API call asks these helpers; none decides on its own."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from cchc.orgs.models import OrgUnit, Role, RoleAssignment

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
