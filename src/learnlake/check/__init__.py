"""`learnlake check`: contact every configured source and sink for real, one result per target.

The probes live in `learnlake.check.probes` (imported only when the command runs: it loads every
client library up front, so the measured latencies are the contacts, not the imports).
"""
