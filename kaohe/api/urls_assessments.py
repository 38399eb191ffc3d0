urlpatterns: list = []  # filled as the endpoints of this concept arrive
