from cchc.orgs.access import scope_for
from cchc.orgs.models import Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_for(user)
    return {
        "nav_roles": {
            "secretariat": scope.has(Role.SECRETARIAT),
            "appraiser": scope.has(Role.APPRAISER) or scope.has(Role.SECRETARIAT),
            "officer": scope.has(Role.UNIT_OFFICER),
            "leader": scope.has(Role.LEADER) or scope.has(Role.SECRETARIAT),
        }
    }
