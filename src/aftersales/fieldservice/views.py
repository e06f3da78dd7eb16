from django.http import HttpResponse


def board(request):
    return HttpResponse("")


def my_work(request):
    return HttpResponse("")
