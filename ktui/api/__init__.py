"""kube-apiserver: the registry, authentication, RBAC, admission, validation, defaulting, storage and watches."""

from ktui.api.client import Client
from ktui.api.errors import ApiError, FieldError
from ktui.api.registry import REGISTRY, Resource
from ktui.api.server import APIServer

__all__ = ["APIServer", "ApiError", "Client", "FieldError", "REGISTRY", "Resource"]
