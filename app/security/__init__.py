"""Security building blocks: encryption at rest, passwords, access, audit."""
