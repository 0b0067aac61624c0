"""ContentCraft's FastAPI backend: thin routers over `core` (see api.app.create_app)."""
