"""Application layer: one function per use case, returning result objects; folders, parallel work and progress callbacks. No printing."""
