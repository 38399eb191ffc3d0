from rest_framework.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    """`?page=2&page_size=200`: fifty a page unless asked, at most five hundred, so no list costs a district."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
