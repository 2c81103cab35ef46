"""Critical-mineral supply chains: mine -> processing -> buyer, routed on the freight network.

Facilities, products, chain stages and dangerous-goods rules are tables
(:func:`load_minerals`); :class:`ChainModel` finds the best chain of facilities and
routes every leg with :class:`serai.freight.Router`; :func:`exposure` measures what
the chain depends on.
"""

from serai.minerals.engine import ChainModel, ChainRequest, Endpoint, NoChainError
from serai.minerals.result import Access, Alternative, Chain, ChainLeg, ChainStage
from serai.minerals.tables import MineralData, load_minerals

__all__ = [
    "Access",
    "Alternative",
    "Chain",
    "ChainLeg",
    "ChainModel",
    "ChainRequest",
    "ChainStage",
    "Endpoint",
    "MineralData",
    "NoChainError",
    "load_minerals",
]
