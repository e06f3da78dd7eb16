from django.http import HttpResponse


def customer_list(request):  # replaced by the real view
    return HttpResponse("")
