from django.urls import URLPattern, URLResolver

app_name = "text"
urlpatterns: list[URLPattern | URLResolver] = []
