"""The HTTP face of feeder: the Starlette app serving feeds/, content negotiation,
conditional GET and search."""
