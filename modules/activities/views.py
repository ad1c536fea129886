from django.http import HttpRequest, HttpResponse


def placeholder(request: HttpRequest) -> HttpResponse:  # replaced by the module's pages
    return HttpResponse(status=501)
