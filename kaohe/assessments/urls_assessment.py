urlpatterns: list = []  # one assessment pages (helper "assessment")
