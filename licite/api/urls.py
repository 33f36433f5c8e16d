from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt

from licite.api.api import api


@csrf_exempt  # nothing to protect: it only says the path does not exist
def unknown_path(request: HttpRequest) -> JsonResponse:
    """An address under /api/ that names no operation: the API's own JSON error, not a web page."""
    body: dict[str, object] = {
        "code": "not_found",
        "message": "no such API path: see /api/docs",
        "rule": None,
        "errors": [],
    }
    return JsonResponse(body, status=404)


urlpatterns = [path("api/", api.urls), re_path(r"^api/", unknown_path)]
