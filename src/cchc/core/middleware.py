"""Security headers Django does not set by itself."""

# Everything is served from our own origin (no CDN: government networks are often closed).
CSP = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Scores and evidence lists are personal: never cached by shared proxies.
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response


class VietnameseFirstMiddleware:
    """Vietnamese unless the user chose English with the language switch (cookie): the
    browser's Accept-Language is ignored, since officers' machines often ship in English."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
