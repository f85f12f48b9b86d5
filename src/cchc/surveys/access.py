"""Who may do what on the survey pages: one helper per object, returning the object and what the
user may do with it (``cchc.orgs.access`` decides who reaches which unit).

The secretariat manages the campaign units of its subtree (progress, quality control, posters,
invitations, results); leaders read progress and results of their subtree; a unit officer reads
its own unit's. Appraisers have no survey role. An object outside the user's reach raises
``Http404`` (not even its existence leaks); the views turn an action the user may not take on an
object it reaches into 403.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.orgs.access import Scope, scope_for
from cchc.orgs.models import OrgUnit, Role, UnitType
from cchc.surveys.models import Campaign, CampaignUnit, PublishedIndex, Response

READ_ROLES = (Role.SECRETARIAT, Role.LEADER, Role.UNIT_OFFICER)


def read_q(scope: Scope, prefix: str = "unit__") -> Q:
    """The units (through ``prefix``) whose survey figures the scope reads."""
    if scope.superuser:
        return Q()
    q = Q(pk__in=[])
    for role in READ_ROLES:
        q |= scope.unit_q(role, prefix=prefix)
    return q


# --- the survey pages as a whole ------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyAccess:
    """What the user may do on the survey pages outside one campaign."""

    list_campaigns: bool = False  # the campaign list: secretariat, leaders, unit officers
    open_campaign: bool = False  # a new campaign: the secretariat
    read_published: bool = False  # the published national indices: secretariat and leaders
    reads: Q = Q(pk__in=[])  # the units (through ``unit__``) whose forms the user's counts include


def survey_access(user) -> SurveyAccess:
    scope = scope_for(user)
    return SurveyAccess(
        list_campaigns=scope.superuser or any(scope.has(r) for r in READ_ROLES),
        open_campaign=scope.superuser or scope.has(Role.SECRETARIAT),
        read_published=scope.superuser or scope.has(Role.SECRETARIAT) or scope.has(Role.LEADER),
        reads=read_q(scope),
    )


# --- campaigns ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignAccess:
    """``units``: the campaign units the user reads (in level then code order); ``managed``: the
    ids of the units the user manages; ``all_units``: the user reads every unit of the campaign."""

    units: tuple[CampaignUnit, ...]
    managed: frozenset[int]
    all_units: bool = False

    @property
    def manage(self) -> bool:
        return bool(self.managed)

    @property
    def unit_ids(self) -> list[int]:
        return [cu.unit_id for cu in self.units]

    @property
    def managed_units(self) -> list[CampaignUnit]:
        return [cu for cu in self.units if cu.unit_id in self.managed]

    @property
    def result_units(self) -> list[OrgUnit] | None:
        """The units the results cover: None (every unit) when the user reads them all."""
        return None if self.all_units else [cu.unit for cu in self.units]


def campaigns_for(user) -> QuerySet[Campaign]:
    """Campaigns with at least one unit the user reads."""
    scope = scope_for(user)
    qs = Campaign.objects.select_related("questionnaire")
    if scope.superuser:
        return qs
    return qs.filter(pk__in=CampaignUnit.objects.filter(read_q(scope)).values("campaign_id"))


def get_campaign_for_user(user, campaign_id: int) -> tuple[Campaign, CampaignAccess]:
    campaign = Campaign.objects.select_related("questionnaire").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    scope = scope_for(user)
    units = tuple(
        CampaignUnit.objects.filter(campaign=campaign)
        .filter(read_q(scope))
        .select_related("unit", "unit__unit_type")
        .order_by("unit__unit_type__level", "unit__code")
    )
    if not units:
        raise Http404
    managed = frozenset(cu.unit_id for cu in units if scope.covers(Role.SECRETARIAT, cu.unit))
    all_units = scope.superuser or len(units) == campaign.campaign_units.count()
    return campaign, CampaignAccess(units, managed, all_units)


@dataclass(frozen=True)
class CampaignUnitAccess:
    manage: bool = False  # poster, invitations, quality control of its forms


def get_campaign_unit_for_user(
    user, campaign_id: int, unit_id: int
) -> tuple[Campaign, CampaignUnit, CampaignUnitAccess]:
    """A unit of a campaign the user reads (else 404), and whether the user manages it."""
    campaign, access = get_campaign_for_user(user, campaign_id)
    for cu in access.units:
        if cu.unit_id == unit_id:
            return campaign, cu, CampaignUnitAccess(manage=unit_id in access.managed)
    raise Http404


@dataclass(frozen=True)
class ResponseAccess:
    manage: bool = False  # exclude from the results, restore


def get_response_for_user(user, response_id: int) -> tuple[Response, ResponseAccess]:
    """A response of a unit the user reads (else 404), and whether the user manages it."""
    response = Response.objects.select_related("unit", "campaign").filter(pk=response_id).first()
    if response is None:
        raise Http404
    _campaign, access = get_campaign_for_user(user, response.campaign_id)
    if response.unit_id not in access.unit_ids:
        raise Http404
    return response, ResponseAccess(manage=response.unit_id in access.managed)


# --- a new campaign -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpeningScope:
    """The units a user may open a campaign for: the secretariat's subtree (every unit for a
    superuser)."""

    units: QuerySet[OrgUnit]

    def unit_types(self) -> QuerySet[UnitType]:
        return UnitType.objects.filter(units__in=self.units).distinct().order_by("level")

    def units_of(self, unit_types: Iterable[UnitType], period: int) -> list[OrgUnit]:
        """The units of these types in force at the end of the surveyed year, in tree order."""
        day = dt.date(period, 12, 31)
        return list(self.units.filter(unit_type__in=list(unit_types)).active_on(day).order_by("path"))


def opening_scope_for(user) -> OpeningScope:
    scope = scope_for(user)
    return OpeningScope(OrgUnit.objects.filter(Q() if scope.superuser else scope.unit_q(Role.SECRETARIAT)))


# --- published indices ----------------------------------------------------------------------------


def published_units_for(user) -> list[OrgUnit]:
    """The units (provinces) with published indices in the user's reach as secretariat or leader."""
    scope = scope_for(user)
    reach = Q() if scope.superuser else (scope.unit_q(Role.SECRETARIAT) | scope.unit_q(Role.LEADER))
    return list(
        OrgUnit.objects.filter(reach, pk__in=PublishedIndex.objects.values("unit_id")).order_by("path")
    )


def get_published_unit_for_user(user, unit_id: int | None) -> tuple[OrgUnit | None, list[OrgUnit]]:
    """The province whose published indices are shown (the first one when ``unit_id`` is None)
    and every one the user may choose; a unit outside them is 404."""
    provinces = published_units_for(user)
    if unit_id is None:
        return (provinces[0] if provinces else None), provinces
    for unit in provinces:
        if unit.pk == unit_id:
            return unit, provinces
    raise Http404
