"""Our ``.proto`` files and the modules generated from them by :mod:`canton_console.api.build`."""
