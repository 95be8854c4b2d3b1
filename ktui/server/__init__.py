"""The HTTP shell: the simulated cluster served as the real Kubernetes HTTP API."""
