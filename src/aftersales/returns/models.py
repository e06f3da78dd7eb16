"""Models of this context are defined in its own module (see the app's docstring)."""
