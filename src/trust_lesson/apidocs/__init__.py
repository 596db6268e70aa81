"""The API documentation pages, with every asset served by the service itself."""
