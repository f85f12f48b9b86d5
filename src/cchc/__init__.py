"""CCHC — a platform to plan, measure and evaluate administrative reform (cải cách hành chính)."""

__version__ = "0.1.0"
