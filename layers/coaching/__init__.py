"""The coaching platform core: domain, ports, use cases and adapters.

Dependencies point inward: adapters -> ports <- usecases -> domain.
"""
