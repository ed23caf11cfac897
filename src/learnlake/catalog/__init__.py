"""Athena/Glue catalog over the lake: tables (Parquet and CSV), partitions, Panorama's typed views.

`sync.sync` creates or updates everything, `sync.drop` removes it; `learnlake catalog` runs them.
"""
