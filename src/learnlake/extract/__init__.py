"""SQL table extraction: the LMS MySQL database (or any SQL database by URL) into the open lake.

Panorama's 29 tables are the default; rows stream as Arrow batches into typed Parquet and, when
asked, Panorama-layout CSV; every table loads incrementally and fails alone.
"""
