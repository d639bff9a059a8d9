"""`translate serve`: the library behind an HTTP service (a LibreTranslate-compatible API and
document jobs kept in SQLite). It sits under the face (translate/cli) and over the flow."""
