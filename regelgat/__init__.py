"""regelgat: an eligibility-rule simulator that exposes regulatory gaps."""

__version__ = "0.1.0"
