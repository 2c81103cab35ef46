"""The modes of movement a route may be restricted to (light: no imports, read by the CLI).

>>> from serai.modes import MODES
>>> MODES[:4]
('rail', 'road', 'sea', 'ferry')
"""

from __future__ import annotations

__all__ = ["MODES"]

# the modes of links (data/check.py: rail, road, sea, ferry, inland_waterway) and of
# scheduled services (rail ferry, ro-ro, container feeder: freight/vinputs.SERVICE_MODES).
# The one list the adapters read: ``serai route --modes``, the API's ``modes`` and its
# OpenAPI schema; freight/checks.py accepts these and a network's own other link modes.
MODES: tuple[str, ...] = ("rail", "road", "sea", "ferry", "roro", "feeder", "inland_waterway")
