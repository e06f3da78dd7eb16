from django.http import HttpResponse


def callbacks(request):
    return HttpResponse("")


def complaints(request):
    return HttpResponse("")
