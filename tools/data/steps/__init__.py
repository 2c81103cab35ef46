"""The stages of the network build (:func:`tools.data.build.build`), one module each.

``sources`` (fact tables, named points, towns, speeds), ``land`` (rail/road graphs, ferries,
named points snapped, transfers), ``water`` (sea lanes, waterways, ports and their access),
``lines`` (facts lines and services, line tags), ``borders`` (closures, border crossings,
gauge breaks, connectors), ``finish`` (defaults, speeds, times, ids) and ``write`` (the
``serai data check`` gate); ``common`` holds the paths, id ranges and shared helpers.
"""
