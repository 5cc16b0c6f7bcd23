"""Stores other than the embedded Oxigraph one (kg.store): remote SPARQL endpoints."""
