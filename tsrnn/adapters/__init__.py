"""Adapters to other libraries' interfaces: sktime forecasters, Dask partitions.

Each module imports its library when it is imported; tsrnn does not depend on them.
"""
