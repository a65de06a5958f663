"""`regelgat serve`: the professional's page and the JSON API, in Dutch and English."""
