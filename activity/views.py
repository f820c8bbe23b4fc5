"""Activity log pages."""
