urlpatterns: list = []  # the cycle pages (helper "cycle")
