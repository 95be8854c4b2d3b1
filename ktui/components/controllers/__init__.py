"""The controllers of kube-controller-manager, one module each (see ktui.components.controller_manager)."""
