"""The REST API (django-ninja): OpenAPI at /api/docs.

Authentication: ``Authorization: Bearer <key>`` (``cchc create-api-token USERNAME``) or the
browser session. Every call checks role and unit through the access helpers: an object outside
the caller's scope is 404, an action the role may not take is 403, invalid data is 422.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import NinjaAPI, Swagger

from cchc.api import assessments, frameworks, results, units
from cchc.api.auth import AUTH

# Swagger UI from django-ninja's own static files ("ninja" in INSTALLED_APPS), under our CSP; no
# call to the public validator (closed government networks).
api = NinjaAPI(
    title="CCHC API",
    version="1",
    urls_namespace="api",
    auth=AUTH,
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.get("/health", auth=None, tags=["meta"])
def health(request):
    return {"status": "ok"}


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Permission denied"}, status=403)


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": exc.messages}, status=422)


api.add_router("/units", units.router)
api.add_router("/frameworks", frameworks.router)
api.add_router("/assessments", assessments.router)
api.add_router("/results", results.router)
