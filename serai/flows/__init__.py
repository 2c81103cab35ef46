"""Corridor flows: demand on the routing graph with capacities (logit equilibrium, LP with duals)."""
