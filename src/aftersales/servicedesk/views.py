from django.http import HttpResponse


def request_list(request):
    return HttpResponse("")


def intake(request):
    return HttpResponse("")
