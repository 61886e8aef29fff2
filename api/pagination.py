"""Pages of rows in a fixed order, with the next page's address in the body and a Link header."""

from rest_framework.pagination import PageNumberPagination


class FeedPagination(PageNumberPagination):
    """1,000 rows a page by default, up to 10,000 with `?page_size=`."""

    page_size = 1000
    page_size_query_param = "page_size"
    max_page_size = 10000

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        links = []
        if (url := self.get_next_link()) is not None:
            links.append(f'<{url}>; rel="next"')
        if (url := self.get_previous_link()) is not None:
            links.append(f'<{url}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        return response
