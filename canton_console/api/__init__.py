"""The nodes' APIs over gRPC: the admin services of :mod:`canton_console.admin` and the sequencer's
public API, served by a node's process and called by a console (or a participant) in another.

``proto/`` holds our own ``.proto`` files, named after Canton's services, and the Python modules
generated from them (checked in; ``python -m canton_console.api.build`` makes them again and
``--check`` says whether the checked-in ones are current).
"""
